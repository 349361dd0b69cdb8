using Akka.Actor;
using Akka.TestKit.Xunit2;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Tests.Protocol;

/// <summary>The actor protocol without the facade: an actor runs commands and receives lines and completion.</summary>
public sealed class SessionActorProtocolTests() : TestKit(RControlConfig.ReferenceConfig)
{
    private IActorRef StartSession() => Sys.ActorOf(SessionActor.Props("proto", new LocalSessionSpec()));

    [Fact]
    public void Execute_streams_output_batches_then_completion()
    {
        var session = StartSession();
        var probe = CreateTestProbe();
        session.Tell(new ExecuteCommand("t1", new CommandSpec("echo a; echo b; exit 3")), probe.Ref);

        var lines = new List<string>();
        while (lines.Count < 2)
        {
            var output = probe.ExpectMsg<CommandOutput>();
            Assert.Equal("t1", output.TaskId);
            Assert.Equal(OutputStream.Stdout, output.Stream);
            lines.AddRange(output.Lines);
            probe.Reply(new CommandOutputAck("t1", output.Stream));
        }

        Assert.Equal(["a", "b"], lines);
        var completed = probe.ExpectMsg<CommandCompleted>();
        Assert.Equal(new CommandCompleted("t1", CommandEnd.Exited, 3, null), completed);
    }

    [Fact]
    public void Separate_streams_are_tagged()
    {
        var session = StartSession();
        var probe = CreateTestProbe();
        session.Tell(new ExecuteCommand("t", new CommandSpec("echo e >&2") { CombineStderr = false }), probe.Ref);
        var output = probe.ExpectMsg<CommandOutput>();
        Assert.Equal(OutputStream.Stderr, output.Stream);
        Assert.Equal(["e"], output.Lines);
        probe.Reply(new CommandOutputAck("t", output.Stream));
        Assert.Equal(CommandEnd.Exited, probe.ExpectMsg<CommandCompleted>().End);
    }

    [Fact]
    public void Timeout_and_output_timeout_end_with_their_kind()
    {
        var session = StartSession();
        var probe = CreateTestProbe();
        session.Tell(new ExecuteCommand("total", new CommandSpec("sleep 30") { Timeout = TimeSpan.FromMilliseconds(200) }), probe.Ref);
        Assert.Equal(CommandEnd.TimedOut, probe.ExpectMsg<CommandCompleted>(TimeSpan.FromSeconds(5)).End);
        session.Tell(new ExecuteCommand("idle", new CommandSpec("sleep 30") { OutputTimeout = TimeSpan.FromMilliseconds(200) }), probe.Ref);
        Assert.Equal(CommandEnd.OutputTimedOut, probe.ExpectMsg<CommandCompleted>(TimeSpan.FromSeconds(5)).End);
    }

    [Fact]
    public void Kill_ends_a_running_command()
    {
        var session = StartSession();
        var probe = CreateTestProbe();
        session.Tell(new ExecuteCommand("k", new CommandSpec("echo started; sleep 30")), probe.Ref);
        var output = probe.ExpectMsg<CommandOutput>();
        probe.Reply(new CommandOutputAck("k", output.Stream));
        session.Tell(new KillCommand("k"), probe.Ref);
        var completed = probe.ExpectMsg<CommandCompleted>();
        Assert.Equal(CommandEnd.Killed, completed.End);
        Assert.Null(completed.ExitCode);
    }

    [Fact]
    public void Without_acks_the_command_pauses_after_the_window_and_resumes_with_them()
    {
        var session = StartSession();
        var probe = CreateTestProbe();
        var window = RControlSettings.Get(Sys).Readers.Window;
        session.Tell(new ExecuteCommand("bp", new CommandSpec("seq 1 2000000")), probe.Ref);
        var batches = new List<CommandOutput>();
        for (var i = 0; i < window; i++)
        {
            batches.Add(probe.ExpectMsg<CommandOutput>());
        }

        var taskActor = probe.LastSender;

        // Window exhausted: nothing more until a batch is acknowledged.
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        long last = 0;
        foreach (var line in batches.SelectMany(b => b.Lines))
        {
            Assert.Equal(++last, long.Parse(line));
        }

        foreach (var batch in batches)
        {
            taskActor.Tell(new CommandOutputAck("bp", batch.Stream), probe.Ref);
        }

        while (true)
        {
            var message = probe.ReceiveOne(TimeSpan.FromSeconds(10));
            if (message is CommandCompleted completed)
            {
                Assert.Equal(CommandEnd.Exited, completed.End);
                break;
            }

            var output = Assert.IsType<CommandOutput>(message);
            foreach (var line in output.Lines)
            {
                Assert.Equal(++last, long.Parse(line));
            }

            probe.Reply(new CommandOutputAck("bp", output.Stream));
        }

        Assert.Equal(2_000_000, last);
    }

    [Fact]
    public void A_subscriber_that_dies_gets_its_command_killed()
    {
        var session = StartSession();
        var subscriber = CreateTestProbe();
        var watcher = CreateTestProbe();
        session.Tell(new ExecuteCommand("orphan", new CommandSpec("sleep 30")), subscriber.Ref);
        var taskActor = AwaitTaskActor(session);
        watcher.Watch(taskActor);
        Sys.Stop(subscriber.Ref);
        watcher.ExpectTerminated(taskActor, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Manager_actor_opens_finds_and_closes_named_sessions()
    {
        var manager = Sys.ActorOf(SessionManagerActor.Props());
        manager.Tell(new OpenSession("builder", new LocalSessionSpec()));
        var found = ExpectMsg<SessionFound>();
        Assert.Equal("builder", found.Name);
        manager.Tell(new GetSession("builder"));
        Assert.Equal(found.Session, ExpectMsg<SessionFound>().Session);
        manager.Tell(new GetSession("nope"));
        var missing = ExpectMsg<SessionNotFound>();
        Assert.Equal(["builder"], missing.Known);
        manager.Tell(new CloseSession("builder"));
        ExpectMsg<SessionClosed>();
        manager.Tell(ListSessions.Instance);
        Assert.Empty(ExpectMsg<SessionList>().Names);
    }

    private IActorRef AwaitTaskActor(IActorRef session)
    {
        IActorRef? found = null;
        AwaitCondition(() =>
        {
            var identity = Sys.ActorSelection(session.Path / "task-1").Ask<ActorIdentity>(new Identify(1)).Result;
            found = identity.Subject;
            return found is not null;
        });
        return found!;
    }
}
