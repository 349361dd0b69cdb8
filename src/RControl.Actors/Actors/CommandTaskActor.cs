using Akka.Actor;
using Akka.Event;
using RControl.Diagnostics;
using RControl.Protocol;
using RControl.Readers;
using RControl.Transports;

namespace RControl.Actors;

/// <summary>
/// Runs one command (child of its session actor): starts it through the transport, lets the
/// readers post line batches into its mailbox, forwards them to the subscriber with
/// back-pressure, owns the total and output timeouts as Akka timers, and kills the process
/// tree on timeout, on request, or when it is stopped.
/// </summary>
internal sealed class CommandTaskActor : ReceiveActor, IWithTimers
{
    internal sealed record Finished(string TaskId);

    private sealed record Started(IRunningCommand Command);

    private sealed record StartFailed(Exception Cause);

    private sealed record LinesRead(OutputStream Stream, string[] Lines) : IRControlWireMessage;

    private sealed record ReaderFinished(OutputStream Stream, Exception? Error);

    private sealed record Exited(int Code);

    private sealed record ExitFailed(Exception Cause);

    private sealed record TimeoutFired(CommandEnd End) : IDeadLetterSuppression;

    private sealed record StartGraceOver;

    /// <summary>How long a kill may take before it is given up (and named as possibly still running).</summary>
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(30);

    private const string TotalTimer = "total";
    private const string OutputTimer = "output";
    private const string StartGraceTimer = "start-grace";

    /// <summary>
    /// How long a timeout that fires while the transport is still starting the command waits for the start's own
    /// outcome. The SSH transport gives up connecting a little before the command's timeout, so a host that does not
    /// answer is reported as a connect failure; on a loaded machine that report may arrive just after the timer.
    /// </summary>
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(1);

    private readonly string _taskId;
    private readonly CommandSpec _spec;
    private readonly ICommandTransport _transport;
    private readonly IActorRef _subscriber;
    private readonly LineReaderSettings _readerSettings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _sessionName;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Dictionary<OutputStream, SemaphoreSlim> _credits = new();
    private IRunningCommand? _command;
    private DeadlineTimer? _deadline;
    private int _openReaders;
    private int? _exitCode;
    private bool _ended;
    private bool _exited;
    private bool _killRequested;
    private CommandEnd? _timedOutWhileStarting;

    public CommandTaskActor(string taskId, CommandSpec spec, ICommandTransport transport, IActorRef subscriber, LineReaderSettings readerSettings, string sessionName = "")
    {
        _taskId = taskId;
        _sessionName = sessionName;
        _spec = spec;
        _transport = transport;
        _subscriber = subscriber;
        _readerSettings = readerSettings;

        Receive<Started>(OnStarted);
        Receive<StartFailed>(m => End(CommandEnd.Failed, null, $"cannot start command: {m.Cause.Message}", m.Cause));
        Receive<LinesRead>(OnLines);
        Receive<CommandOutputAck>(m => ReleaseCredit(m.Stream));
        Receive<ReaderFinished>(OnReaderFinished);
        Receive<Exited>(m =>
        {
            _exitCode = m.Code;
            _exited = true;
            EndIfDrained();
        });
        Receive<ExitFailed>(m => End(CommandEnd.Failed, null, $"connection lost: {m.Cause.Message}", m.Cause));
        Receive<TimeoutFired>(OnTimeout);
        Receive<StartGraceOver>(_ => End(_timedOutWhileStarting ?? CommandEnd.TimedOut, null, null));
        Receive<KillCommand>(_ =>
        {
            _killRequested = true;
            if (_command is not null)
            {
                End(CommandEnd.Killed, null, null);
            }
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_subscriber), _ =>
        {
            _log.Warning("Subscriber of task {0} is gone; killing the command", _taskId);
            End(CommandEnd.Killed, null, null);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string taskId, CommandSpec spec, ICommandTransport transport, IActorRef subscriber, LineReaderSettings readerSettings, string sessionName = "") =>
        Akka.Actor.Props.Create(() => new CommandTaskActor(taskId, spec, transport, subscriber, readerSettings, sessionName));

    protected override void PreStart()
    {
        Context.System.EventStream.Publish(new CommandTaskStarted(_sessionName, _taskId, _spec.Command, Context.Parent));
        EngineInstruments.TaskStarted(_sessionName);
        Context.Watch(_subscriber);
        if (_spec.Timeout is { } timeout)
        {
            if (timeout <= DeadlineTimer.Longest)
            {
                // Not an Akka timer: those fire up to a scheduler tick (10 ms) late.
                _deadline = new DeadlineTimer(timeout, Self, new TimeoutFired(CommandEnd.TimedOut));
            }
            else
            {
                Timers.StartSingleTimer(TotalTimer, new TimeoutFired(CommandEnd.TimedOut), timeout);
            }
        }

        ArmOutputTimer();
        StartCommand().PipeTo(Self, success: c => new Started(c), failure: e => new StartFailed(e));
    }

    private Task<IRunningCommand> StartCommand()
    {
        try
        {
            return _transport.StartAsync(_spec, _stop.Token);
        }
        catch (Exception e)
        {
            return Task.FromException<IRunningCommand>(e);
        }
    }

    private void OnTimeout(TimeoutFired fired)
    {
        if (_command is null && !_killRequested)
        {
            // The start is under way: its own outcome (a connect failure that explains the wait) decides, or the
            // timeout once the start has settled or the grace is over.
            if (_timedOutWhileStarting is null)
            {
                _timedOutWhileStarting = fired.End;
                Timers.StartSingleTimer(StartGraceTimer, new StartGraceOver(), StartGrace);
            }

            return;
        }

        End(fired.End, null, null);
    }

    private void OnStarted(Started started)
    {
        _command = started.Command;
        if (_timedOutWhileStarting is { } timedOut)
        {
            End(timedOut, null, null);
            return;
        }

        if (_ended)
        {
            // Ended (timeout or kill) while the transport was still starting it.
            KillInBackground(_command, dispose: true);
            return;
        }

        if (_killRequested)
        {
            End(CommandEnd.Killed, null, null);
            return;
        }

        StartReader(OutputStream.Stdout, _command.StandardOutput);
        if (_command.StandardError is { } stderr)
        {
            StartReader(OutputStream.Stderr, stderr);
        }

        _command.ExitCode.PipeTo(Self, success: code => new Exited(code), failure: e => new ExitFailed(e));
    }

    private void StartReader(OutputStream stream, Stream source)
    {
        var credits = new SemaphoreSlim(_readerSettings.Window, _readerSettings.Window);
        _credits[stream] = credits;
        _openReaders++;
        var self = Self;
        var reader = new LineReader(source, _readerSettings, lines => self.Tell(new LinesRead(stream, lines)), credits);
        Task.Run(() => reader.RunAsync(_stop.Token))
            .PipeTo(self, success: () => new ReaderFinished(stream, null), failure: e => new ReaderFinished(stream, e));
    }

    private void OnLines(LinesRead read)
    {
        if (_ended)
        {
            return;
        }

        ArmOutputTimer();
        EngineInstruments.Output(_sessionName, read.Stream, read.Lines);
        _subscriber.Tell(new CommandOutput(_taskId, read.Stream, read.Lines), Self);
    }

    private void ReleaseCredit(OutputStream stream)
    {
        if (_credits.TryGetValue(stream, out var credits))
        {
            credits.Release();
        }
    }

    private void OnReaderFinished(ReaderFinished finished)
    {
        _openReaders--;
        if (finished.Error is { } error && !_ended)
        {
            End(CommandEnd.Failed, null, $"reading {finished.Stream.ToString().ToLowerInvariant()} failed: {error.Message}");
            return;
        }

        EndIfDrained();
    }

    private void EndIfDrained()
    {
        if (_exited && _openReaders == 0)
        {
            End(CommandEnd.Exited, _exitCode, null);
        }
    }

    private void ArmOutputTimer()
    {
        if (_spec.OutputTimeout is { } idle)
        {
            Timers.StartSingleTimer(OutputTimer, new TimeoutFired(CommandEnd.OutputTimedOut), idle);
        }
    }

    private void End(CommandEnd end, int? exitCode, string? error, Exception? cause = null)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Timers.CancelAll();
        _deadline?.Dispose();
        // The session hears first, so a subscriber reusing the id after the completion finds it ended (not refused).
        // Stopping kills the process tree if it has not exited (see PostStop).
        Context.Parent.Tell(new Finished(_taskId));
        _subscriber.Tell(new CommandCompleted(_taskId, end, exitCode, error) { Cause = cause }, Self);
        PublishEnded(end, exitCode, error);
        Context.Stop(Self);
    }

    protected override void PostStop()
    {
        if (!_ended)
        {
            // Stopped from outside: the session was closed (or the system is shutting down).
            _ended = true;
            _subscriber.Tell(new CommandCompleted(_taskId, CommandEnd.Killed, null, CommandCompleted.SessionClosedReason), Self);
            PublishEnded(CommandEnd.Killed, null, CommandCompleted.SessionClosedReason);
        }

        _deadline?.Dispose();
        _stop.Cancel();
        if (_command is { } command)
        {
            if (!_exited)
            {
                KillInBackground(command, dispose: true);
            }
            else
            {
                _ = command.DisposeAsync().AsTask();
            }
        }
    }

    private void PublishEnded(CommandEnd end, int? exitCode, string? error)
    {
        EngineInstruments.TaskEnded(_sessionName, end, exitCode, _clock.Elapsed);
        Context.System.EventStream.Publish(new CommandTaskEnded(_sessionName, _taskId, _spec.Command, end, exitCode, error, _clock.Elapsed));
    }

    private void KillInBackground(IRunningCommand command, bool dispose)
    {
        var log = _log;
        var taskId = _taskId;
        var kill = Task.Run(async () =>
        {
            using var limit = new CancellationTokenSource(KillLimit);
            try
            {
                await command.KillAsync(limit.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.Warning(e, "Killing task {0} failed", taskId);
            }

            if (dispose)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
        });
        // Closing the session and disposing the system wait for this kill to be acknowledged.
        PendingKills.Get(Context.System).Track(Context.Parent.Path, $"session '{_sessionName}': {_spec.Command}", kill);
    }
}
