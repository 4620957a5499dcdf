package io.el4ner.onnx.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AstFilterChain;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.FilterSpec;
import com.hubspot.jinjava.interpret.Context;
import java.util.List;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstFunction;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ExpressionFactory;

/**
 * jinjava whose expressions fail where jinja2's do: its expression factory's parser checks filter and test names
 * against jinjava's, and makes the object of an attribute ({@code x.a}, {@code x['a']}, {@code x.f()}) fail
 * when it is undefined instead of making the whole expression undefined. The parser and cache are jinjava's own
 * otherwise (features and cache size as {@code Jinjava} sets them).
 */
final class StrictJinjava extends Jinjava {
    private final ExpressionFactory expressions;

    StrictJinjava(JinjavaConfig config) {
        super(config);
        Context names = getGlobalContext();
        Builder builder = new ExtendedSyntaxBuilder(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Parser createParser(String expression) {
                return new StrictParser(this, expression, names);
            }
        };
        expressions = new ExpressionFactoryImpl(new TreeStore(builder, new Cache(1000)), new TruthyTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressions;
    }

    /** Where jinja2 raises and jinjava would go on: an unknown filter or test, an attribute of an undefined value. */
    static final class NotJinja2 extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotJinja2(String message) {
            super(message, null, false, false);
        }
    }

    private static final class StrictParser extends ExtendedParser {
        private final Context names;

        StrictParser(Builder builder, String expression, Context names) {
            super(builder, expression);
            this.names = names;
        }

        @Override
        protected AstDot createAstDot(AstNode base, String property, boolean lvalue) {
            // jinjava turns "x | f(a)" into "filter:f.filter(x, interpreter, a)", and "x is t" alike
            if (base instanceof AstIdentifier id && (id.getName().startsWith(ExtendedParser.FILTER_PREFIX)
                    || id.getName().startsWith(ExtendedParser.EXPTEST_PREFIX))) {
                checkName(id.getName());
                return super.createAstDot(base, property, lvalue);
            }
            return super.createAstDot(new Defined(base, "attribute '" + property + "'"), property, lvalue);
        }

        @Override
        protected AstBracket createAstBracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
            return super.createAstBracket(new Defined(base, "items"), property, lvalue, strict);
        }

        @Override
        protected AstFilterChain createAstFilterChain(AstNode input, List<FilterSpec> filters) {
            for (FilterSpec f : filters) {
                checkName(ExtendedParser.FILTER_PREFIX + f.getName());
            }
            return super.createAstFilterChain(input, filters);
        }

        @Override
        protected AstFunction createAstFunction(String name, int index, AstParameters params) {
            checkName(name);
            return super.createAstFunction(name, index, params);
        }

        /** Fails on an unknown {@code filter:name} or {@code exptest:name}, as jinja2 does; other names pass. */
        private void checkName(String name) {
            if (name.startsWith(ExtendedParser.FILTER_PREFIX)) {
                String filter = name.substring(ExtendedParser.FILTER_PREFIX.length());
                if (names.getFilter(filter) == null) {
                    throw new NotJinja2("no filter named '" + filter + "'");
                }
            } else if (name.startsWith(ExtendedParser.EXPTEST_PREFIX)) {
                String test = name.substring(ExtendedParser.EXPTEST_PREFIX.length());
                if (names.getExpTest(test) == null) {
                    throw new NotJinja2("no test named '" + test + "'");
                }
            }
        }
    }

    /** The object of an attribute or item access: fails when undefined, as jinja2's {@code Undefined} does. */
    private static final class Defined extends AstRightValue {
        private final AstNode node;
        private final String wanted;

        Defined(AstNode node, String wanted) {
            this.node = node;
            this.wanted = wanted;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object value = node.eval(bindings, context);
            if (value == null) {
                StringBuilder expression = new StringBuilder();
                node.appendStructure(expression, bindings);
                throw new NotJinja2("'" + expression + "' is undefined, so it has no " + wanted);
            }
            return value;
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            node.appendStructure(builder, bindings);
        }

        @Override
        public int getCardinality() {
            return 1;
        }

        @Override
        public AstNode getChild(int i) {
            return i == 0 ? node : null;
        }

        @Override
        public String toString() {
            return node.toString();
        }
    }
}
