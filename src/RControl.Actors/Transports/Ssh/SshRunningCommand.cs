using Renci.SshNet;
using Renci.SshNet.Common;

namespace RControl.Transports.Ssh;

/// <summary>A command running on an exec channel: its streams, its exit status, and a kill of its remote process group.</summary>
internal sealed class SshRunningCommand : IRunningCommand
{
    private static readonly TimeSpan ProcessGroupWait = TimeSpan.FromSeconds(5);

    private readonly SshTransport _transport;
    private readonly SshCommand _command;
    private readonly SshConnectionPool.Lease _lease;
    private readonly ChannelSink _stdout;
    private readonly ChannelSink _stderrSink;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _nonce;
    private readonly SshGuardian? _guardian;
    private readonly string? _guardDirectory;
    private readonly Task _execution;
    private int _disposed;

    public SshRunningCommand(SshTransport transport, SshCommand command, SshConnectionPool.Lease lease, ChannelSink stdout, ChannelSink? stderr, ChannelSink stderrSink, Task execution, string nonce, SshGuardian? guardian, string? guardDirectory)
    {
        _nonce = nonce;
        _guardian = guardian;
        _guardDirectory = guardDirectory;
        _execution = execution;
        _transport = transport;
        _command = command;
        _lease = lease;
        _stdout = stdout;
        _stderrSink = stderrSink;
        StandardOutput = stdout.Reader;
        StandardError = stderr?.Reader;
        ExitCode = _exit.Task;
        lease.Connection.Track(this, Abort);
        _ = CompleteAsync(execution);
    }

    public Stream StandardOutput { get; }

    public Stream? StandardError { get; }

    public Task<int> ExitCode { get; }

    private async Task CompleteAsync(Task execution)
    {
        try
        {
            _exit.TrySetResult(await WaitForExitAsync(execution).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            _exit.TrySetException(e);
        }
        finally
        {
            _lease.Connection.Untrack(this);
        }
    }

    /// <summary>Fails the command because its connection was declared dead (keep-alive unanswered).</summary>
    private void Abort(Exception reason)
    {
        _exit.TrySetException(_transport.ConnectionLost(_lease.Connection, reason));
        _stdout.Dispose();
        _stderrSink.Dispose();
        _lease.Dispose();
    }

    private async Task<int> WaitForExitAsync(Task execution)
    {
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshConnectionException or SshException or ObjectDisposedException && Volatile.Read(ref _disposed) == 0)
        {
            _lease.Connection.MarkDead();
            throw _transport.ConnectionLost(_lease.Connection, e);
        }
        finally
        {
            // The channel is closed: its slot is free for the next command.
            _lease.Dispose();
        }

        if (_command.ExitStatus is { } status)
        {
            return status;
        }

        if (_command.ExitSignal is { } signal)
        {
            return 128 + SignalNumber(signal);
        }

        throw new SshException("the server closed the channel without an exit status");
    }

    /// <summary>
    /// Kills the remote process group and returns once the remote kill has exited (acknowledged), retrying over a
    /// fresh connection if needed; throws when it could not be acknowledged in time. A command registered with its
    /// connection's guardian is found by its nonce (it prints no ids) and is also killed by the guardian at once (not
    /// acknowledged); one that has not registered yet kills itself when it does. A command with its own watcher is
    /// found by the ids line it prints first. Then closes the channel, which makes such a watcher kill the group too.
    /// </summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        // After a lost connection the remote command may still run (a network cut sshd has not noticed yet): kill it
        // too, over a new control connection. Only a command that has exited needs nothing.
        if (ExitCode.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            if (_guardDirectory is not null)
            {
                // The guardian is on the command's own connection, already open: its kill lands at once, while the
                // acknowledged one below may first have to open the control connection.
                _guardian?.Kill(_nonce);
                if (await _transport.KillRegisteredAsync(_nonce, _guardDirectory, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            // Its own watcher (no guardian, or the guardian's directory was gone) prints the group id first; wait for it
            // a little if the kill came right after the start (it is null once the channel has ended).
            var ids = _stderrSink.ProcessGroup;
            var process = await Task.WhenAny(ids, Task.Delay(ProcessGroupWait, cancellationToken)).ConfigureAwait(false) == ids
                ? await ids.ConfigureAwait(false)
                : null;
            if (process is not null && !ExitCode.IsCompletedSuccessfully)
            {
                await _transport.KillGroupAsync(process, _nonce, _guardDirectory, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Close our side of the channel too: the readers see the end even if the server never answers.
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Release a receive loop paused for back-pressure first: the close below needs it to read the answer.
            _stdout.Sever();
            _stderrSink.Sever();

            if (_execution.IsCompletedSuccessfully)
            {
                // The server has closed the channel and SSH.NET has answered its close: nothing left to wait for.
                Close();
            }
            else
            {
                // Closing a channel still open waits for the server's answer synchronously inside SSH.NET.
                _ = Blocking.Run(Close);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Close()
    {
        try
        {
            _command.Dispose();
        }
        catch (Exception)
        {
            // A broken connection may throw on close; the channel is gone either way.
        }

        _stdout.Dispose();
        _stderrSink.Dispose();
        _lease.Dispose();
    }

    private static int SignalNumber(string name) => name switch
    {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "ABRT" => 6,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        _ => 0,
    };
}
