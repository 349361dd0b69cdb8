using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Tests.Protocol;

/// <summary>Task ids are 128 random bits, and a session actor never mixes two tasks under one id.</summary>
public sealed partial class TaskIdTests() : TestKit(RControlConfig.ReferenceConfig)
{
    [Fact]
    public void A_second_task_with_a_running_id_is_refused_and_the_first_runs_on()
    {
        var session = Sys.ActorOf(SessionActor.Props("ids", new LocalSessionSpec()));
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        session.Tell(new ExecuteCommand("dup", new CommandSpec("echo first; sleep 30; echo never")), first.Ref);
        var output = first.ExpectMsg<CommandOutput>();
        Assert.Equal(["first"], output.Lines);

        session.Tell(new ExecuteCommand("dup", new CommandSpec("echo second")), second.Ref);
        var refused = second.ExpectMsg<CommandCompleted>();
        Assert.Equal(new CommandCompleted("dup", CommandEnd.Failed, null, "task id 'dup' is already in use in session 'ids'"), refused);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // The first task was not touched: it is still running and its kill still reaches it.
        first.Reply(new CommandOutputAck("dup", output.Stream));
        session.Tell(new KillCommand("dup"));
        Assert.Equal(new CommandCompleted("dup", CommandEnd.Killed, null, null), first.ExpectMsg<CommandCompleted>(TimeSpan.FromSeconds(10)));

        // Once it has ended, the id may be used again.
        var third = CreateTestProbe();
        session.Tell(new ExecuteCommand("dup", new CommandSpec("true")), third.Ref);
        Assert.Equal(CommandEnd.Exited, third.FishForMessage<CommandCompleted>(_ => true, TimeSpan.FromSeconds(10)).End);
    }

    [Fact]
    public async Task Task_ids_are_32_random_hex_digits_and_tasks_are_listed_in_start_order()
    {
        await using var engine = new Support.Engine();
        var tasks = Enumerable.Range(0, 20).Select(_ => engine.Local.Execute("sleep 5")).ToArray();
        Assert.All(tasks, t => Assert.Matches(RandomId(), t.Id));
        Assert.Equal(tasks.Length, tasks.Select(t => t.Id).Distinct().Count());
        Assert.Equal(tasks, engine.Local.Tasks);
        foreach (var task in tasks)
        {
            await task.KillAsync();
        }

        await engine.Local.WaitForTasksAsync(raiseIfError: false);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex RandomId();
}
