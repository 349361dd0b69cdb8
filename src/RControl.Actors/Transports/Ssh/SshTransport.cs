using System.Net.Sockets;
using System.Reflection;
using RControl.Protocol;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RControl.Transports.Ssh;

/// <summary>
/// Runs each command on its own SSH exec channel. At most <see cref="SshSessionSpec.MaxChannels"/> channels per
/// connection and <see cref="SshSessionSpec.MaxConnections"/> connections: <see cref="MaxConcurrentCommands"/> is
/// their product, so the session actor queues the rest in order and no thread ever waits on SSH.NET's channel
/// semaphore; with more than one channel allowed, one channel of each connection holds its guardian
/// (<see cref="SshGuardian"/>). Kills go over a separate control connection (a full connection has no channel to spare), reach the
/// command's whole remote process group, and are retried over a fresh connection when the old one died; besides, the
/// connection's guardian kills the groups of its commands by itself when the connection goes away (see <see cref="SshCommandLine"/>).
/// </summary>
internal sealed class SshTransport : ICommandTransport
{
    internal static readonly PropertyInfo OutputStreamProperty = typeof(SshCommand).GetProperty(nameof(SshCommand.OutputStream))!;
    private static readonly PropertyInfo ExtendedOutputStreamProperty = typeof(SshCommand).GetProperty(nameof(SshCommand.ExtendedOutputStream))!;

    private const int MaxChannelOpenAttempts = 3;
    private static readonly TimeSpan GuardianCloseBound = TimeSpan.FromSeconds(5);

    /// <summary>Refusals tolerated with no channel but the (closing) guardian's open: sshd may free its session just after.</summary>
    private const int MaxRefusedAlone = 3;

    // A refusal while one of the connection's channels is still closing at the server: try again after this pause, this
    // many times at most (a second in all), then believe it.
    private static readonly TimeSpan ClosingChannelPause = TimeSpan.FromMilliseconds(10);

    private const int MaxRefusedClosing = 100;
    private static readonly TimeSpan KillRetryFirst = TimeSpan.FromMilliseconds(100);

    private readonly SshSessionSpec _spec;
    private readonly SshConnectionPool _pool;
    private readonly SshConnectionPool _control;
    private readonly string _where;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SshRunningCommand, byte> _running = new();
    private int _disposed;

    /// <summary>Creates the transport; nothing connects until the first command.</summary>
    /// <param name="spec">The session.</param>
    /// <param name="slots">The engine's bound on connects in progress (<see cref="SshConnectSlots.Shared"/> when null).</param>
    public SshTransport(SshSessionSpec spec, SshConnectSlots? slots = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _pool = new SshConnectionPool(spec, CommandChannels(spec), spec.MaxConnections, slots);
        // A kill is never queued behind a fan-out's connects: its rare reconnect may take a thread beyond the bound.
        _control = new SshConnectionPool(spec, spec.MaxChannels, 1, SshConnectSlots.Unbounded);
        _where = Describe(spec);
    }

    /// <inheritdoc />
    public int? MaxConcurrentCommands => CommandChannels(_spec) * _spec.MaxConnections;

    /// <summary>Whether each connection gets a guardian: it needs a channel of its own beside the commands'.</summary>
    private static bool Guarded(SshSessionSpec spec) => spec.MaxChannels > 1;

    /// <summary>Command channels per connection: the allowed channels less the guardian's.</summary>
    private static int CommandChannels(SshSessionSpec spec) => Guarded(spec) ? spec.MaxChannels - 1 : spec.MaxChannels;

    /// <summary>Command connections opened so far (reconnects included).</summary>
    public int ConnectionsOpened => _pool.ConnectionsOpened;

    /// <inheritdoc />
    public Task<IRunningCommand> StartAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        var (giveUpAt, budget) = ConnectDeadline(command);
        return StartOnChannelAsync(command, giveUpAt, budget, cancellationToken);
    }

    /// <summary>
    /// Until when a command may wait for a connection: the session's connect budget, or a little before the command's
    /// own timeout, so that a host that cannot be reached is reported as such and not as a timeout of the command.
    /// </summary>
    private (DateTime GiveUpAt, string Budget) ConnectDeadline(CommandSpec command)
    {
        var budget = _spec.ConnectBudget;
        if (command.Timeout is { } timeout && timeout > TimeSpan.Zero)
        {
            var early = timeout - TimeSpan.FromTicks(Math.Min(timeout.Ticks / 5, TimeSpan.FromMilliseconds(200).Ticks));
            if (early < budget)
            {
                return (DateTime.UtcNow + early, $"the command's {timeout.TotalSeconds:0.###}s timeout");
            }
        }

        return (DateTime.UtcNow + budget, $"connect budget {budget.TotalSeconds:0.###}s");
    }

    private async Task<IRunningCommand> StartOnChannelAsync(CommandSpec command, DateTime giveUpAt, string budget, CancellationToken cancellationToken)
    {
        var nonce = SshCommandLine.NewNonce();
        var attempt = 0;
        var refusedAlone = 0;
        var refusedClosing = 0;
        while (true)
        {
            attempt++;
            var lease = await _pool.AcquireAsync(giveUpAt, budget, cancellationToken).ConfigureAwait(false);
            SshCommand? sshCommand = null;
            SshRunningCommand? started = null;
            var watchesForItself = false;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The connection's second command starts its guardian before its own channel, so the guardian has its
                // channel (the first command watches for itself).
                var guardian = Guarded(_spec) ? await lease.Connection.GuardianAsync().ConfigureAwait(false) : null;
                watchesForItself = Guarded(_spec) && guardian is null;
                guardian?.CommandStarted();
                var guardDirectory = guardian?.Directory;
                var text = SshCommandLine.Build(command, null, nonce, guardDirectory, guardian?.LoginShellIsSh == true, guardian?.LoginShellIsBash == true);
                sshCommand = lease.Connection.Client.CreateCommand(text);
                var stdout = new ChannelSink(readsProcessGroup: false, lease.Connection.Output);
                var stderr = new ChannelSink(readsProcessGroup: true, lease.Connection.Output, discard: command.CombineStderr, firstLineOnly: guardDirectory is not null);
                ReplaceStream(OutputStreamProperty, sshCommand, stdout);
                ReplaceStream(ExtendedOutputStreamProperty, sshCommand, stderr);
                // Opening a channel waits for the server's answer synchronously inside SSH.NET.
                var opening = sshCommand;
                var execution = await Blocking.Run(() => opening.ExecuteAsync(CancellationToken.None)).ConfigureAwait(false);
                lease.Opened();
                var running = new SshRunningCommand(this, sshCommand, lease, stdout, command.CombineStderr ? null : stderr, stderr, execution, nonce, guardDirectory is null ? null : guardian, guardDirectory);
                _running[running] = 0;
                _ = running.ExitCode.ContinueWith(t => _running.TryRemove(running, out var _), TaskScheduler.Default);
                started = running;
            }
            catch (SshException e) when (SshConnector.IsChannelRefused(e) && !cancellationToken.IsCancellationRequested)
            {
                // The server allows fewer channels than the session (its MaxSessions): learn it and wait for a channel,
                // or take the guardian's channel when it holds the only one (the commands then watch for themselves).
                sshCommand?.Dispose();
                var refusal = _pool.ChannelRefused(lease, refusedClosing >= MaxRefusedClosing);
                lease.Dispose();
                if (refusal == SshConnectionPool.ChannelRefusal.TryAgainSoon)
                {
                    refusedClosing++;
                    await Task.Delay(ClosingChannelPause, cancellationToken).ConfigureAwait(false);
                }

                if (refusal == SshConnectionPool.ChannelRefusal.Final ||
                    (refusal == SshConnectionPool.ChannelRefusal.GiveUpTheGuardian && ++refusedAlone > MaxRefusedAlone))
                {
                    throw new SessionException($"{_where}: the server refused to open a channel for the command (is its MaxSessions 0?)", e);
                }

                if (refusal == SshConnectionPool.ChannelRefusal.GiveUpTheGuardian)
                {
                    await lease.Connection.GiveUpGuardianAsync(GuardianCloseBound, cancellationToken).ConfigureAwait(false);
                }

                attempt--; // not a dead connection
            }
            catch (Exception e) when (attempt < MaxChannelOpenAttempts && e is SshConnectionException or ObjectDisposedException or SocketException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // The connection died between the check and the channel open (closed, reset, broken pipe): drop it and try again on a fresh one.
                lease.Connection.MarkDead();
                sshCommand?.Dispose();
                lease.Dispose();
            }
            catch
            {
                sshCommand?.Dispose();
                lease.Dispose();
                throw;
            }
            finally
            {
                if (watchesForItself)
                {
                    // Opened or failed: if this was the connection's first command, its guardian may now open its channel
                    // (a later command given no guardian found it settled already).
                    lease.Connection.ChannelOpenSettled();
                }
            }

            if (started is null)
            {
                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // The task ended (timeout, kill, session closed) while its channel was opening: nobody will read it.
                _ = started.KillAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
            }

            return started;
        }
    }

    private static string Describe(SshSessionSpec spec)
    {
        try
        {
            return SshConnector.Describe(spec);
        }
        catch (Exception e) when (e is SessionException or IOException or UnauthorizedAccessException)
        {
            // A bad alias or jump is reported when connecting; messages just name the spec.
            return $"{spec.User ?? "?"}@{spec.Host}:{spec.Port ?? 22}";
        }
    }

    internal static void ReplaceStream(PropertyInfo property, SshCommand command, Stream sink)
    {
        // SSH.NET's own PipeStream only reads synchronously (a blocked thread per stream); ours is async.
        (property.GetValue(command) as Stream)?.Dispose();
        property.SetValue(command, sink);
    }

    /// <summary>How long a kill keeps trying (reconnects included) before it reports that it could not be acknowledged.</summary>
    internal TimeSpan KillBound => _spec.ConnectTimeout + TimeSpan.FromSeconds(5);

    /// <summary>
    /// Kills a remote process group over the control connection and returns once the remote <c>kill</c> has exited
    /// (acknowledged). A kill that fails because the control connection died or cannot be made is retried over a fresh
    /// connection until <see cref="KillBound"/>; then the last failure is thrown.
    /// </summary>
    internal Task KillGroupAsync(RemoteProcess process, string nonce, string? guardDirectory, CancellationToken cancellationToken) =>
        RunKillAsync(SshCommandLine.KillGroup(process, nonce, guardDirectory), $"process group {process.Group}", cancellationToken);

    /// <summary>
    /// Kills the group of the command registered with the guardian's directory under <paramref name="nonce"/>, as
    /// <see cref="KillGroupAsync"/> does (acknowledged, retried). Returns false when no registration was found: the
    /// command has not registered yet (it kills itself when it does) or took its own watcher (its ids line tells the group).
    /// </summary>
    internal async Task<bool> KillRegisteredAsync(string nonce, string guardDirectory, CancellationToken cancellationToken) =>
        await RunKillAsync(SshCommandLine.KillRegistered(nonce, guardDirectory), $"command {nonce[..8]}", cancellationToken).ConfigureAwait(false) == 0;

    private async Task<int?> RunKillAsync(string text, string what, CancellationToken cancellationToken)
    {
        var giveUpAt = DateTime.UtcNow + KillBound;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(KillBound);
        var pause = KillRetryFirst;
        while (true)
        {
            SshConnectionPool.Lease? lease = null;
            try
            {
                lease = await _control.AcquireAsync(giveUpAt, "the kill's bound", bound.Token).ConfigureAwait(false);
                using var kill = lease.Connection.Client.CreateCommand(text);
                var execution = await Blocking.Run(() => kill.ExecuteAsync(CancellationToken.None)).WaitAsync(bound.Token).ConfigureAwait(false);
                await execution.WaitAsync(bound.Token).ConfigureAwait(false);
                return kill.ExitStatus;
            }
            catch (SshException e) when (!bound.IsCancellationRequested && SshConnector.IsChannelRefused(e))
            {
                // The server allows fewer channels than the session (its MaxSessions): keep to the channels it allowed
                // and kill again once one is free; the connection itself is fine.
                _control.ChannelRefused(lease!);
            }
            catch (Exception e) when (!bound.IsCancellationRequested && e is SshConnectionException or SshException or ObjectDisposedException or SocketException or IOException)
            {
                // The control connection died under the kill: drop it and kill again over a fresh one.
                lease?.Connection.MarkDead();
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw NotAcknowledged(what, e);
            }
            finally
            {
                lease?.Dispose();
            }

            try
            {
                await Task.Delay(pause, bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw NotAcknowledged(what, e);
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    private SshConnectException NotAcknowledged(string what, Exception cause) =>
        new(_spec.Host, _spec.Port ?? 22, SshConnectFailure.TimedOut,
            $"{_where}: the kill of {what} was not acknowledged within {KillBound.TotalSeconds:0.#}s", cause);

    /// <summary>Describes a lost connection for a task error.</summary>
    internal Exception ConnectionLost(SshConnection connection, Exception cause) =>
        new SshConnectionLostException(_spec.Host, _spec.Port ?? 22, connection.LastError is TimeoutException probe
            ? $"{_where}: {probe.Message}"
            : $"{_where}: the connection was closed or reset (sshd stopped, host down or network cut; {(connection.LastError ?? cause).Message})", cause);

    /// <summary>Kills the commands still running (remote process groups included), then closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Closing a connection does not stop its remote commands (sshd leaves them running): kill them first.
        using var bound = new CancellationTokenSource(_spec.ConnectTimeout + TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(_running.Keys.Select(c => c.KillAsync(bound.Token))).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: an unreachable host keeps its processes; the connections are closed anyway.
        }

        await _pool.DisposeAsync().ConfigureAwait(false);
        await _control.DisposeAsync().ConfigureAwait(false);
    }
}
