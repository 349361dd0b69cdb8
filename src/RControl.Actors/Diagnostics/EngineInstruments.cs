using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using RControl.Protocol;

namespace RControl.Diagnostics;

/// <summary>
/// The instruments of <see cref="RControlMetrics"/> and the calls the engine makes on them. Each call is a few
/// additions when nobody listens (instruments without a listener are disabled).
/// </summary>
internal static class EngineInstruments
{
    internal static readonly Meter Meter = new(RControlMetrics.MeterName, typeof(EngineInstruments).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> TasksStarted = Meter.CreateCounter<long>("rcontrol.tasks.started", "{task}", "Commands started (one per task, queued ones when they leave the queue).");

    private static readonly Counter<long> TasksEnded = Meter.CreateCounter<long>("rcontrol.tasks.ended", "{task}", "Commands ended, by outcome: ok, exit_nonzero, failed, killed, timed_out, output_timed_out.");

    private static readonly UpDownCounter<long> TasksRunning = Meter.CreateUpDownCounter<long>("rcontrol.tasks.running", "{task}", "Commands running now.");

    /// <summary>Bucket bounds in seconds, from a millisecond wait to an hour-long command.</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    };

    private static readonly Histogram<double> TaskDuration = Meter.CreateHistogram("rcontrol.task.duration", "s", "How long commands ran, by outcome.", tags: null, advice: Seconds);

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram("rcontrol.task.queue_wait", "s", "How long a command waited before it could start: in its session's queue (stage=session) or for an SSH channel slot and connection (stage=channel).", tags: null, advice: Seconds);

    private static readonly Counter<long> OutputLines = Meter.CreateCounter<long>("rcontrol.output.lines", "{line}", "Output lines delivered, by stream.");

    private static readonly Counter<long> OutputBytes = Meter.CreateCounter<long>("rcontrol.output.bytes", "By", "Output delivered, in bytes (UTF-8, one per line end), by stream.");

    private static readonly Counter<long> SshConnects = Meter.CreateCounter<long>("rcontrol.ssh.connects", "{connection}", "SSH connection attempts, by result: opened or failed.");

    static EngineInstruments()
    {
        Meter.CreateObservableGauge("rcontrol.ssh.connections", SshConnectionStates.Observe, "{connection}", "SSH connections by state: connecting, idle (no channel in use) or busy.");
        Meter.CreateObservableGauge("rcontrol.jobs", RControlMetrics.JobsByState, "{job}", "Daemon jobs by state (reported by the daemon's job store).");
    }

    public static void TaskStarted(string session)
    {
        var tag = new KeyValuePair<string, object?>("session", session);
        TasksStarted.Add(1, tag);
        TasksRunning.Add(1, tag);
    }

    public static void TaskEnded(string session, CommandEnd end, int? exitCode, TimeSpan duration)
    {
        var sessionTag = new KeyValuePair<string, object?>("session", session);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", Outcome(end, exitCode));
        TasksRunning.Add(-1, sessionTag);
        TasksEnded.Add(1, sessionTag, outcomeTag);
        TaskDuration.Record(duration.TotalSeconds, sessionTag, outcomeTag);
    }

    /// <summary>The outcome tag: <c>ok</c> for exit status 0, else what ended the command.</summary>
    public static string Outcome(CommandEnd end, int? exitCode) => end switch
    {
        CommandEnd.Exited => exitCode == 0 ? "ok" : "exit_nonzero",
        CommandEnd.Killed => "killed",
        CommandEnd.TimedOut => "timed_out",
        CommandEnd.OutputTimedOut => "output_timed_out",
        _ => "failed",
    };

    public static void Queued(string stage, long since)
    {
        if (QueueWait.Enabled)
        {
            QueueWait.Record(Stopwatch.GetElapsedTime(since).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }

    public static void Output(string session, OutputStream stream, string[] lines)
    {
        var sessionTag = new KeyValuePair<string, object?>("session", session);
        var streamTag = new KeyValuePair<string, object?>("stream", stream == OutputStream.Stderr ? "stderr" : "stdout");
        OutputLines.Add(lines.Length, sessionTag, streamTag);
        if (OutputBytes.Enabled)
        {
            long bytes = lines.Length;
            foreach (var line in lines)
            {
                bytes += Encoding.UTF8.GetByteCount(line);
            }

            OutputBytes.Add(bytes, sessionTag, streamTag);
        }
    }

    public static void SshConnected(bool opened) =>
        SshConnects.Add(1, new KeyValuePair<string, object?>("result", opened ? "opened" : "failed"));
}
