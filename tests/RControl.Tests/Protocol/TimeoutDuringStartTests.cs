using Akka.Actor;
using Akka.TestKit.Xunit2;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Readers;
using RControl.Transports;

namespace RControl.Tests.Protocol;

/// <summary>
/// A timeout that fires while the transport is still starting the command (connecting) waits for the start's own
/// outcome: a connect failure is reported as such, a late start is killed and reported as the timeout.
/// The transport here is a stand-in whose start the test settles by hand; the actor's timing is what is tested.
/// </summary>
public sealed class TimeoutDuringStartTests() : TestKit(RControlConfig.ReferenceConfig)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void A_start_failure_after_the_timer_is_reported_as_the_failure_not_as_a_timeout()
    {
        var transport = new PendingStartTransport();
        var probe = CreateTestProbe();
        Sys.ActorOf(CommandTaskActor.Props("t", new CommandSpec("true") { Timeout = Timeout }, transport, probe.Ref, LineReaderSettings.Default));

        // The timer fires while connecting; nothing is reported yet.
        probe.ExpectNoMsg(Timeout * 2);
        transport.Start.SetException(new InvalidOperationException("cannot connect to h:22: not connected within 0.2s"));

        var completed = probe.ExpectMsg<CommandCompleted>();
        Assert.Equal(CommandEnd.Failed, completed.End);
        Assert.Contains("not connected within", completed.Error);
    }

    [Fact]
    public void A_start_that_succeeds_after_the_timer_is_killed_and_reported_as_timed_out()
    {
        var transport = new PendingStartTransport();
        var probe = CreateTestProbe();
        Sys.ActorOf(CommandTaskActor.Props("t", new CommandSpec("sleep 30") { Timeout = Timeout }, transport, probe.Ref, LineReaderSettings.Default));

        probe.ExpectNoMsg(Timeout * 2);
        var command = new NeverEndingCommand();
        transport.Start.SetResult(command);

        Assert.Equal(CommandEnd.TimedOut, probe.ExpectMsg<CommandCompleted>().End);
        AwaitCondition(() => command.Killed, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_start_that_never_settles_is_reported_as_timed_out_after_the_grace()
    {
        var transport = new PendingStartTransport();
        var probe = CreateTestProbe();
        Sys.ActorOf(CommandTaskActor.Props("t", new CommandSpec("true") { Timeout = Timeout }, transport, probe.Ref, LineReaderSettings.Default));

        Assert.Equal(CommandEnd.TimedOut, probe.ExpectMsg<CommandCompleted>(TimeSpan.FromSeconds(5)).End);
        // The actor cancels the start when it stops, just after it reported the end.
        AwaitCondition(() => transport.StartCancelled.IsCancellationRequested, TimeSpan.FromSeconds(5), message: "the pending start is cancelled once the task ends");
    }

    private sealed class PendingStartTransport : ICommandTransport
    {
        public TaskCompletionSource<IRunningCommand> Start { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken StartCancelled { get; private set; }

        public int? MaxConcurrentCommands => null;

        public Task<IRunningCommand> StartAsync(CommandSpec spec, CancellationToken cancellationToken)
        {
            StartCancelled = cancellationToken;
            return Start.Task;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NeverEndingCommand : IRunningCommand
    {
        private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Killed { get; private set; }

        public Stream StandardOutput { get; } = new MemoryStream();

        public Stream? StandardError => null;

        public Task<int> ExitCode => _exit.Task;

        public Task KillAsync(CancellationToken cancellationToken)
        {
            Killed = true;
            _exit.TrySetResult(137);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
