using System.Reflection;
using Renci.SshNet;
using RControl.Transports.Ssh;

namespace RControl.Transports.Files;

/// <summary>
/// A program on an exec channel of a file system's own SSH connection, with byte streams for standard input and
/// output (the remote end of a <c>tar</c> tree copy, <c>sha256sum</c>). Output is read asynchronously with bounded
/// memory (<see cref="ChannelSink"/>: the connection pauses while 4 MiB are unread). Closing the channel ends the
/// program: <c>tar -c</c> gets SIGPIPE, <c>tar -x</c> end of file.
/// </summary>
internal sealed class SshHostProcess : IHostProcess
{
    private static readonly PropertyInfo OutputStreamProperty = typeof(SshCommand).GetProperty(nameof(SshCommand.OutputStream))!;
    private static readonly PropertyInfo ExtendedOutputStreamProperty = typeof(SshCommand).GetProperty(nameof(SshCommand.ExtendedOutputStream))!;

    private readonly SshCommand _command;
    private readonly ChannelSink _stdout;
    private readonly ChannelSink _stderr;
    private readonly Stream _input;

    private SshHostProcess(SshCommand command, ChannelSink stdout, ChannelSink stderr, Task execution)
    {
        _command = command;
        _stdout = stdout;
        _stderr = stderr;
        _input = new BlockingWriteStream(OpenInput(command));
        Exited = WaitAsync(execution, StandardErrorTail.ReadAsync(stderr.Reader));
    }

    public Stream Input => _input;

    public Stream Output => _stdout.Reader;

    public Task<(int ExitCode, string Error)> Exited { get; }

    /// <summary>Runs <paramref name="arguments"/> (each quoted for the login shell) on <paramref name="client"/>.</summary>
    public static async Task<SshHostProcess> StartAsync(SshClient client, IReadOnlyList<string> arguments)
    {
        // exec: the program itself is the session's process, so that a signal (see DisposeAsync) reaches it, not a shell.
        var command = client.CreateCommand("exec " + string.Join(' ', arguments.Select(ShellScript.Quote)));
        try
        {
            var gauge = new OutputGauge();
            var stdout = new ChannelSink(readsProcessGroup: false, gauge);
            var stderr = new ChannelSink(readsProcessGroup: false, gauge);
            Replace(OutputStreamProperty, command, stdout);
            Replace(ExtendedOutputStreamProperty, command, stderr);
            var execution = await Blocking.Run(() => command.ExecuteAsync(CancellationToken.None)).ConfigureAwait(false);
            return new SshHostProcess(command, stdout, stderr, execution);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted)
        {
            // Nobody reads its output any more. Closing the channel alone does not end a program that reads a file and
            // writes only at its end (sha256sum of a large file would hash on for minutes): it is killed first
            // (OpenSSH's "signal" request); the channel is closed right after either way.
            _stdout.Sever();
            _stderr.Sever();
            await Blocking.Run(() =>
            {
                try
                {
                    _command.CancelAsync(forceKill: true, millisecondsTimeout: 0);
                }
                catch (Exception)
                {
                    // Ended meanwhile, or the connection is gone: closing is all that is left to do.
                }

                _command.Dispose();
            }).ConfigureAwait(false);
        }
        else
        {
            _command.Dispose();
        }

        try
        {
            await Exited.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The program was ended on purpose.
        }
    }

    private static Stream OpenInput(SshCommand command)
    {
        try
        {
            return command.CreateInputStream();
        }
        catch (InvalidOperationException)
        {
            return Stream.Null; // it ended already (sha256sum does not read its input)
        }
    }

    private static void Replace(PropertyInfo property, SshCommand command, Stream sink)
    {
        // SSH.NET's own PipeStream buffers without limit and only reads synchronously; ours is bounded and async.
        (property.GetValue(command) as Stream)?.Dispose();
        property.SetValue(command, sink);
    }

    private async Task<(int, string)> WaitAsync(Task execution, Task<string> error)
    {
        await execution.ConfigureAwait(false);
        _stdout.Dispose();
        _stderr.Dispose();
        return (_command.ExitStatus ?? -1, await error.ConfigureAwait(false));
    }
}

/// <summary>
/// SSH.NET's channel input stream waits synchronously for the peer's window: each write runs on a dedicated
/// thread so the thread pool (which also runs the actors) is never held.
/// </summary>
internal sealed class BlockingWriteStream(Stream inner) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask(Blocking.Run(() => inner.Write(buffer.Span)));
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => new(Blocking.Run(Dispose));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                inner.Dispose();
            }
            catch (InvalidOperationException)
            {
                // The program closed the channel before our end of file (tar -x stops reading at the archive's end
                // marker): nothing was lost, and its exit status says how it ended.
            }
        }

        base.Dispose(disposing);
    }
}
