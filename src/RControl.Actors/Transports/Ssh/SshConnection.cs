using Renci.SshNet;

namespace RControl.Transports.Ssh;

/// <summary>One connected SSH client in a pool, with the number of channels it has open.</summary>
internal sealed class SshConnection : IDisposable
{
    private readonly KeepAliveProbe? _probe;
    private int _dead;

    public SshConnection(SshClient client, int id, TimeSpan keepAlive)
    {
        Client = client;
        Id = id;
        client.ErrorOccurred += (_, e) =>
        {
            LastError ??= e.Exception;
            MarkDead();
        };
        _probe = KeepAliveProbe.Start(client, keepAlive, Output, reason =>
        {
            LastError ??= new TimeoutException(reason);
            // SSH.NET does not fail the commands of a connection closed from this side: fail them here.
            foreach (var abort in TakeRunning())
            {
                abort(LastError);
            }

            _ = Blocking.Run(Dispose);
        });
    }

    private readonly Dictionary<object, Action<Exception>> _running = new();

    /// <summary>Registers a running command to be failed if the keep-alive probe declares the connection dead.</summary>
    public void Track(object command, Action<Exception> abort)
    {
        lock (_running)
        {
            _running[command] = abort;
        }
    }

    public void Untrack(object command)
    {
        lock (_running)
        {
            _running.Remove(command);
        }
    }

    private Action<Exception>[] TakeRunning()
    {
        lock (_running)
        {
            var all = _running.Values.ToArray();
            _running.Clear();
            return all;
        }
    }

    public SshClient Client { get; }

    /// <summary>The output sinks of this connection's channels that wait for a slow reader.</summary>
    public OutputGauge Output { get; } = new();

    public int Id { get; }

    /// <summary>Channels open (or reserved) on this connection. Guarded by the pool's lock.</summary>
    public int ActiveChannels { get; set; }

    /// <summary>Command channels the server has opened and RControl has not closed yet. Guarded by the pool's lock.</summary>
    public int OpenChannels { get; set; }

    /// <summary>
    /// The most command channels the server has had open at once on this connection: it allows at least that many (the
    /// guardian only ever gives its channel up). Guarded by the pool's lock.
    /// </summary>
    public int MostOpenChannels { get; set; }

    /// <summary>When RControl last closed a command channel of this connection (a Stopwatch timestamp). Guarded by the pool's lock.</summary>
    public long LastClosed { get; set; }

    /// <summary>
    /// Command channels the server has shown it allows at once (it refused one more): no limit until a refusal.
    /// Guarded by the pool's lock.
    /// </summary>
    public int ChannelLimit { get; set; } = int.MaxValue;

    /// <summary>Whether the connection has started a guardian (running, given up or ended: it held a channel).</summary>
    public bool HadGuardian => _guardian is { IsCompletedSuccessfully: true, Result: not null };

    /// <summary>
    /// The first command was given no guardian and the guardian has not started yet: the channels open now leave out
    /// the one the guardian will take.
    /// </summary>
    public bool GuardianYetToCome => Volatile.Read(ref _firstChannel) is not null && Volatile.Read(ref _guardian) is null && !_guardianGivenUp;

    /// <summary>The error that ended the connection, if any.</summary>
    public Exception? LastError { get; private set; }

    public bool IsAlive => Volatile.Read(ref _dead) == 0 && Client.IsConnected;

    private Task<SshGuardian?>? _guardian;
    private volatile bool _guardianGivenUp;

    // Set when the first command asks (it gets no guardian); completed once its channel open has succeeded or failed.
    private TaskCompletionSource? _firstChannel;

    /// <summary>
    /// The connection's guardian (see <see cref="SshGuardian"/>), started by the connection's second command once the
    /// first command's channel is open (so the guardian's channel comes second, before any other command's); null for
    /// the first command, and when it could not be started or has ended (those commands get a watcher each).
    /// Call <see cref="ChannelOpenSettled"/> once the command's channel open has succeeded or failed.
    /// </summary>
    public async Task<SshGuardian?> GuardianAsync()
    {
        Task<SshGuardian?> starting;
        lock (_running)
        {
            if (_guardian is null && _firstChannel is null)
            {
                // The first command would not find the guardian ready anyway (its directory comes a round trip after its
                // start) and watches for itself: a connection that runs one command (a fan-out's) never pays for a
                // guardian's channel and shells.
                _firstChannel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return null;
            }

            starting = _guardian ??= StartGuardianAsync(_firstChannel?.Task);
        }

        var guardian = await starting.ConfigureAwait(false);
        return guardian is { IsRunning: true } && !_guardianGivenUp ? guardian : null;
    }

    /// <summary>Commands asking from now on get no guardian (they watch for themselves).</summary>
    public void StopUsingGuardian() => _guardianGivenUp = true;

    /// <summary>
    /// Ends the guardian so that its channel serves commands: the server refused a command channel while the guardian's
    /// was the only one open. Call only with no command on the connection (the guardian kills what is registered when
    /// it ends); later commands watch for themselves. Returns once sshd has closed the guardian's channel, or after
    /// <paramref name="bound"/>.
    /// </summary>
    public async Task GiveUpGuardianAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        StopUsingGuardian();
        if (_guardian is not { IsCompletedSuccessfully: true, Result: { } guardian })
        {
            return;
        }

        guardian.Dispose();
        try
        {
            await guardian.Ended.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Gone with its connection, slow to close, or the command gave up: the retry (or the caller) finds out.
        }
    }

    /// <summary>The first command's channel open has succeeded or failed: the guardian may start.</summary>
    public void ChannelOpenSettled()
    {
        if (Volatile.Read(ref _firstChannel) is { Task.IsCompleted: false } first)
        {
            first.TrySetResult();
        }
    }

    private async Task<SshGuardian?> StartGuardianAsync(Task? firstChannel)
    {
        try
        {
            if (firstChannel is not null)
            {
                await firstChannel.ConfigureAwait(false);
            }

            return await SshGuardian.StartAsync(Client).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A refused channel or a connection going away: the commands watch for themselves.
            return null;
        }
    }

    public void MarkDead() => Interlocked.Exchange(ref _dead, 1);

    public void Dispose()
    {
        MarkDead();
        _probe?.Dispose();
        if (_guardian is { IsCompletedSuccessfully: true, Result: { } guardian })
        {
            guardian.Dispose();
        }

        // SSH.NET does not fail the commands of a connection closed from this side: any still tracked here
        // (the pool dropping a dead connection, the session closing) fail now instead of hanging.
        var reason = LastError ?? new IOException("the connection was closed");
        foreach (var abort in TakeRunning())
        {
            abort(reason);
        }

        try
        {
            Client.Dispose();
        }
        catch (Exception)
        {
            // Disposing a broken connection may throw; it is gone either way.
        }
    }
}
