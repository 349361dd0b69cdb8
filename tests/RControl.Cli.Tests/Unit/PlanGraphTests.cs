using RControl.Host.Cli;
using RControl.Host.Cli.Plans;

namespace RControl.Cli.Tests.Unit;

public class PlanGraphTests
{
    private static PlanGraph Graph(params (string Name, string[] After)[] tasks) =>
        PlanGraph.Create(tasks.Select(t => (t.Name, (IReadOnlyList<string>)t.After)));

    private static PlanGraph Tutorial() => Graph(
        ("T1", []), ("T2", []), ("T3", []), ("T11", ["T1"]), ("T12", ["T1"]), ("T4", ["T11", "T12", "T2"]), ("T5", ["T4", "T3"]));

    [Fact]
    public void Tasks_start_when_all_their_dependencies_succeeded()
    {
        var p = Tutorial().Start();
        Assert.Equal(["T1", "T2", "T3"], p.TakeReady());
        Assert.Empty(p.TakeReady());
        p.Complete("T1", true);
        Assert.Equal(["T11", "T12"], p.TakeReady());
        p.Complete("T11", true);
        p.Complete("T12", true);
        Assert.Empty(p.TakeReady());
        p.Complete("T2", true);
        Assert.Equal(["T4"], p.TakeReady());
        p.Complete("T4", true);
        Assert.Empty(p.TakeReady());
        Assert.False(p.IsFinished);
        p.Complete("T3", true);
        Assert.Equal(["T5"], p.TakeReady());
        p.Complete("T5", true);
        Assert.True(p.IsFinished);
    }

    [Fact]
    public void A_failure_skips_its_dependents_transitively_and_nothing_else()
    {
        var p = Tutorial().Start();
        p.TakeReady();
        var skipped = p.Complete("T1", false);
        Assert.Equal(["T11", "T12", "T4", "T5"], skipped);
        Assert.Equal("dependency 'T1' failed", p.SkipReason("T5"));
        Assert.Empty(p.TakeReady());
        p.Complete("T2", true);
        p.Complete("T3", true);
        Assert.Equal(PlanTaskState.Succeeded, p.State("T2"));
        Assert.Equal(PlanTaskState.Succeeded, p.State("T3"));
        Assert.True(p.IsFinished);
    }

    [Fact]
    public void Stop_all_skips_every_pending_task_but_lets_running_ones_end()
    {
        var p = Tutorial().Start(stopAllOnFailure: true);
        p.TakeReady();
        var skipped = p.Complete("T3", false);
        Assert.Equal(["T11", "T12", "T4", "T5"], skipped);
        Assert.Equal(PlanTaskState.Running, p.State("T1"));
        p.Complete("T1", true);
        Assert.Empty(p.TakeReady());
        p.Complete("T2", true);
        Assert.True(p.IsFinished);
    }

    [Fact]
    public void A_cycle_is_refused_with_its_names()
    {
        var e = Assert.Throws<UsageException>(() => Graph(("A", ["C"]), ("B", ["A"]), ("C", ["B"]), ("D", [])));
        Assert.Equal("dependency cycle: A -> C -> B -> A", e.Message);
    }

    [Fact]
    public void Duplicate_unknown_and_self_dependencies_are_refused()
    {
        Assert.Contains("duplicate task name 'A'", Assert.Throws<UsageException>(() => Graph(("A", []), ("A", []))).Message);
        Assert.Contains("unknown task 'X'", Assert.Throws<UsageException>(() => Graph(("A", ["X"]))).Message);
        Assert.Contains("depends on itself", Assert.Throws<UsageException>(() => Graph(("A", ["A"]))).Message);
    }

    [Fact]
    public void Completing_a_task_that_is_not_running_is_a_bug()
    {
        var p = Graph(("A", [])).Start();
        Assert.Throws<InvalidOperationException>(() => p.Complete("A", true));
    }
}
