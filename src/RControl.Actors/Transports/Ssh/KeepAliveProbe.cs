using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Connection;
using SshNetSession = Renci.SshNet.Session;

namespace RControl.Transports.Ssh;

/// <summary>
/// An SSH-level liveness check, like OpenSSH's <c>ServerAliveInterval</c>: every quarter interval it sends a
/// <c>keepalive@openssh.com</c> global request that the server must answer (OpenSSH answers with a failure) unless
/// one is still unanswered; when an answer is more than one interval late, the connection is declared dead and
/// closed. So a peer that hangs without closing the TCP connection fails every command on it between 1 and 1.5
/// intervals after it stopped answering (a request sent at most a quarter interval later, declared at the first tick
/// more than one interval after it), plus timer slack. Channel data arriving meanwhile counts as an answer.
/// SSH.NET's own keep-alive only sends messages nobody answers, so this reaches into its session (pinned version).
/// </summary>
internal sealed class KeepAliveProbe : IDisposable
{
    private static readonly PropertyInfo? SessionProperty = typeof(BaseClient).GetProperty("Session", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly MethodInfo? TrySendMessage = typeof(SshNetSession).GetMethod("TrySendMessage", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Message)]);
    private static readonly ConstructorInfo? RequestConstructor = typeof(GlobalRequestMessage).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(byte[]), typeof(bool)]);
    private static readonly byte[] RequestName = "keepalive@openssh.com"u8.ToArray();

    private readonly SshNetSession _session;
    private readonly TimeSpan _interval;
    private readonly Action<string> _onDead;
    private readonly OutputGauge _gauge;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private DateTime? _outstandingSince;
    private long _outstandingTicks;
    private bool _stopped;

    private KeepAliveProbe(SshNetSession session, TimeSpan interval, OutputGauge gauge, Action<string> onDead)
    {
        _session = session;
        _gauge = gauge;
        _interval = interval;
        _onDead = onDead;
        session.RegisterMessage("SSH_MSG_REQUEST_SUCCESS");
        session.RegisterMessage("SSH_MSG_REQUEST_FAILURE");
        session.RequestSuccessReceived += OnReply;
        session.RequestFailureReceived += OnReply;
        var tick = interval / 4;
        _timer = new Timer(_ => Tick(), null, tick, tick);
    }

    /// <summary>Starts probing a connected client; null when the interval is off or SSH.NET's internals are not as expected.</summary>
    public static KeepAliveProbe? Start(SshClient client, TimeSpan interval, OutputGauge gauge, Action<string> onDead)
    {
        if (interval <= TimeSpan.Zero || SessionProperty is null || TrySendMessage is null || RequestConstructor is null)
        {
            return null;
        }

        return SessionProperty.GetValue(client) is SshNetSession session ? new KeepAliveProbe(session, interval, gauge, onDead) : null;
    }

    private void OnReply<T>(object? sender, MessageEventArgs<T> e)
        where T : Message
    {
        lock (_gate)
        {
            _outstandingSince = null;
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var now = DateTime.UtcNow;
            if (_gauge.AnyPaused)
            {
                // The receive loop waits for a slow reader on purpose: answers cannot be read meanwhile.
                _outstandingSince = null;
                return;
            }

            if (_outstandingSince is not null && _gauge.LastData > _outstandingTicks)
            {
                // Channel data arrived since the request went out: the server is alive, its answer is just queued.
                _outstandingSince = null;
            }

            if (_outstandingSince is { } since)
            {
                if (now - since > _interval)
                {
                    _stopped = true;
                    _timer.Dispose();
                    var seconds = (now - since).TotalSeconds;
                    _ = Task.Run(() => _onDead($"no answer to keep-alive for {seconds:0.#}s (keep-alive {_interval.TotalSeconds:0.###}s): the server or the network stopped responding"));
                }

                return;
            }

            _outstandingSince = now;
            _outstandingTicks = Environment.TickCount64;
        }

        try
        {
            var request = (GlobalRequestMessage)RequestConstructor!.Invoke([RequestName, true]);
            TrySendMessage!.Invoke(_session, [request]);
        }
        catch (Exception)
        {
            // A broken session is noticed by SSH.NET itself.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
        _session.RequestSuccessReceived -= OnReply;
        _session.RequestFailureReceived -= OnReply;
    }
}
