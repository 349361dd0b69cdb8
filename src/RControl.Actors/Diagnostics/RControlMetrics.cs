using System.Diagnostics.Metrics;

namespace RControl.Diagnostics;

/// <summary>
/// The engine's metrics (System.Diagnostics.Metrics): one <see cref="Meter"/> named <see cref="MeterName"/> for the
/// whole process. Export it with any listener, e.g. OpenTelemetry's <c>AddMeter(RControlMetrics.MeterName)</c>; the
/// daemon does so when its <c>rcontrol.daemon.metrics</c> section asks for it.
/// </summary>
/// <remarks>
/// Instruments: <c>rcontrol.tasks.started</c>, <c>rcontrol.tasks.ended</c> (tag <c>outcome</c>),
/// <c>rcontrol.tasks.running</c>, <c>rcontrol.task.duration</c> (s), <c>rcontrol.task.queue_wait</c> (s, tag
/// <c>stage</c>: <c>session</c> or <c>channel</c>), <c>rcontrol.output.lines</c> and <c>rcontrol.output.bytes</c> (tag
/// <c>stream</c>), <c>rcontrol.ssh.connections</c> (tag <c>state</c>: <c>connecting</c>, <c>idle</c>, <c>busy</c>),
/// <c>rcontrol.ssh.connects</c> (tag <c>result</c>) and <c>rcontrol.jobs</c> (tag <c>state</c>, fed by
/// <see cref="SetJobsByState"/>). Task instruments carry the session name as tag <c>session</c>.
/// </remarks>
public static class RControlMetrics
{
    /// <summary>The name of the engine's meter.</summary>
    public const string MeterName = "RControl";

    private static Func<IEnumerable<KeyValuePair<string, long>>>? _jobsByState;

    /// <summary>
    /// Sets what the <c>rcontrol.jobs</c> gauge reports: a count per job state (e.g. "running" → 3), read at each
    /// collection. Null (the default) reports nothing. The daemon's job store sets it.
    /// </summary>
    public static void SetJobsByState(Func<IEnumerable<KeyValuePair<string, long>>>? source) =>
        Volatile.Write(ref _jobsByState, source);

    internal static IEnumerable<Measurement<long>> JobsByState()
    {
        if (Volatile.Read(ref _jobsByState) is not { } source)
        {
            return [];
        }

        return source().Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key))).ToArray();
    }
}
