using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using RControl.Transports.Ssh;

namespace RControl.Diagnostics;

/// <summary>
/// The SSH connection pools alive in this process, read by the <c>rcontrol.ssh.connections</c> gauge (weakly held: a
/// pool that is gone stops counting without unregistering).
/// </summary>
internal static class SshConnectionStates
{
    private static readonly ConditionalWeakTable<SshConnectionPool, object?> Pools = new();

    public static void Register(SshConnectionPool pool) => Pools.AddOrUpdate(pool, null);

    public static void Unregister(SshConnectionPool pool) => Pools.Remove(pool);

    internal static IEnumerable<Measurement<long>> Observe()
    {
        long connecting = 0, idle = 0, busy = 0;
        foreach (var (pool, _) in Pools)
        {
            var counts = pool.Counts();
            connecting += counts.Connecting;
            idle += counts.Idle;
            busy += counts.Busy;
        }

        return
        [
            new Measurement<long>(connecting, new KeyValuePair<string, object?>("state", "connecting")),
            new Measurement<long>(idle, new KeyValuePair<string, object?>("state", "idle")),
            new Measurement<long>(busy, new KeyValuePair<string, object?>("state", "busy")),
        ];
    }
}
