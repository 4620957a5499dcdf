package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Build tools name a test's report after the class in its {@link MethodSource} (Surefire writes one
 * {@code TEST-<class>.xml} per class). With two subclasses of one kit in a project, every test must therefore come
 * from the concrete subclass, never from a class shared by both (such as a nested class of the kit, which made
 * Surefire merge both members' results into one report).
 */
class KitsReportUnderTheSubclassNameTest {
    @Test
    void discover_twoSubclassesOfOneKit_reportsEveryTestUnderItsConcreteSubclass() {
        List<Class<?>> kits = List.of(EchoMemberContractTest.class, SecondEchoMemberContractTest.class,
                EchoMemberProviderContractTest.class, HashingEncoderContractTest.class);
        Map<String, List<String>> testsByReportClass = new TreeMap<>();
        for (Class<?> kit : kits) {
            TestPlan plan = LauncherFactory.create().discover(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(kit)).build());
            for (TestIdentifier root : plan.getRoots()) {
                collect(plan, root, testsByReportClass);
            }
        }
        assertThat(testsByReportClass).containsOnlyKeys(kits.stream().map(Class::getName).toList());
        List<String> first = testsByReportClass.get(EchoMemberContractTest.class.getName());
        assertThat(first).hasSize(10).contains("nameIsWellFormedAndStable", "answersWithTextAndUsage",
                "failureIsMappedToModelMemberException", "closeCanBeRepeated");
        assertThat(testsByReportClass.get(SecondEchoMemberContractTest.class.getName()))
                .containsExactlyInAnyOrderElementsOf(first);
        assertThat(testsByReportClass.get(EchoMemberProviderContractTest.class.getName())).hasSize(5);
    }

    private static void collect(TestPlan plan, TestIdentifier id, Map<String, List<String>> out) {
        if (id.isTest()) {
            MethodSource source = (MethodSource) id.getSource().orElseThrow();
            out.computeIfAbsent(source.getClassName(), k -> new ArrayList<>()).add(source.getMethodName());
        }
        for (TestIdentifier child : plan.getChildren(id)) {
            collect(plan, child, out);
        }
    }
}
