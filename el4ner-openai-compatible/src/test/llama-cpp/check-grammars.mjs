// Runs the cases GbnfCases wrote through llama.cpp's own grammar matcher (node-llama-cpp's AddonGrammar
// isTextCompatible: the grammar parsed by llama.cpp, the text fed code point by code point, no model needed) and
// counts where llama.cpp and el4ner's test recognizer disagree. See README.md beside this file.
import {getLlama, LlamaGrammar} from "node-llama-cpp";
import {readFileSync} from "node:fs";

const llama = await getLlama({gpu: false, build: "never"});
const lines = readFileSync(process.argv[2], "utf8").split("\n").filter(l => l.length > 0);
const grammars = new Map();
let agree = 0;
let accepted = 0;
let disagree = 0;
let unparsed = 0;
for (const line of lines) {
    const c = JSON.parse(line);
    let g = grammars.get(c.grammar);
    if (g === undefined) {
        try {
            g = new LlamaGrammar(llama, {grammar: c.grammar});
        } catch (e) {
            g = null;
            unparsed++;
            console.log("not parsed:", e.message, JSON.stringify(c.grammar).slice(0, 300));
        }
        grammars.set(c.grammar, g);
    }
    const got = g === null ? null : g._grammar.isTextCompatible(c.text);
    if (got === c.expected) {
        agree++;
        accepted += got ? 1 : 0;
    } else {
        disagree++;
        if (disagree <= 10) {
            console.log("disagree: llama.cpp", got, "el4ner", c.expected, JSON.stringify(c.text));
        }
    }
}
console.log(`${lines.length} cases, ${grammars.size} grammars: ${agree} agree (${accepted} accepted), `
    + `${disagree} disagree, ${unparsed} grammars not parsed`);
process.exit(disagree === 0 && unparsed === 0 ? 0 : 1);
