// Times llama.cpp's grammar code on the grammars GbnfLongSentences wrote: parsing alone (an empty text) and parsing
// plus matching the answer code point by code point (node-llama-cpp's AddonGrammar.isTextCompatible), median of 7.
import {getLlama, LlamaGrammar} from "node-llama-cpp";
import {readFileSync} from "node:fs";

const llama = await getLlama({gpu: false, build: "never"});
const median = (f) => {
    const times = [];
    let result;
    for (let i = 0; i < 7; i++) {
        const t0 = process.hrtime.bigint();
        result = f();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    return [times[3], result];
};
console.log("| sentence words | grammar bytes | answer chars | accepted | parse ms | parse + match ms |");
console.log("|---|---|---|---|---|---|");
for (const line of readFileSync(process.argv[2], "utf8").split("\n").filter(l => l.length > 0)) {
    const c = JSON.parse(line);
    const g = new LlamaGrammar(llama, {grammar: c.grammar});
    const [parse] = median(() => g._grammar.isTextCompatible(""));
    const [both, ok] = median(() => g._grammar.isTextCompatible(c.text));
    console.log(`| ${c.words} | ${c.bytes} | ${c.text.length} | ${ok} | ${parse.toFixed(2)} | ${both.toFixed(2)} |`);
}
