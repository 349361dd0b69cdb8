using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;

namespace RControl.Transports.Ssh;

/// <summary>
/// Receives a channel's bytes from SSH.NET's receive loop and exposes them as an asynchronously readable stream, so
/// no thread waits on a read. Memory is bounded: when more than <see cref="HighWatermark"/> bytes are unread, the
/// receive loop waits until the reader has drained half of them. That pauses the whole connection (SSH.NET gives no
/// per-channel flow control) and suspends its keep-alive probe meanwhile (see <see cref="OutputGauge"/>).
/// Optionally takes the first line as the remote process-group id and watcher pid written by the command wrapper
/// (see <see cref="SshCommandLine"/>).
/// </summary>
internal sealed class ChannelSink : Stream
{
    /// <summary>What the wrapper prints before the process-group id.</summary>
    public const string Marker = "rcontrol-pgid:";

    /// <summary>Unread bytes per stream before the receive loop waits.</summary>
    public const long HighWatermark = 4 * 1024 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: HighWatermark, resumeWriterThreshold: HighWatermark / 2, useSynchronizationContext: false));
    private readonly OutputGauge _gauge;
    private readonly TaskCompletionSource<RemoteProcess?> _processGroup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte>? _header;
    private readonly bool _discard;
    private readonly bool _firstLineOnly;
    private readonly object _gate = new();
    private bool _completed;

    /// <param name="readsProcessGroup">The first line is the process-group id, not output.</param>
    /// <param name="discard">Drop everything after the header (stderr of a combined command).</param>
    /// <param name="gauge">Counts the connection's paused sinks, for its keep-alive probe.</param>
    /// <param name="firstLineOnly">Only the first line may be the ids line (a command registered with a guardian
    /// prints none unless it had to take its own watcher); otherwise every line is checked until one is.</param>
    public ChannelSink(bool readsProcessGroup, OutputGauge gauge, bool discard = false, bool firstLineOnly = false)
    {
        _gauge = gauge;
        _firstLineOnly = firstLineOnly;
        _header = readsProcessGroup ? new List<byte>() : null;
        _discard = discard;
        if (!readsProcessGroup)
        {
            _processGroup.TrySetResult(null);
        }

        Reader = _pipe.Reader.AsStream();
    }

    /// <summary>The stream the line reader reads.</summary>
    public Stream Reader { get; }

    /// <summary>The remote process group and watcher (0: none) once the wrapper has printed them; null when the channel ended first (or, with only the first line read, that line was not them).</summary>
    public Task<RemoteProcess?> ProcessGroup => _processGroup.Task;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _gauge.Received();
        ValueTask<FlushResult> flush;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            while (_header is not null && !_processGroup.Task.IsCompleted)
            {
                var newline = buffer.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _header.AddRange(buffer.ToArray());
                    return;
                }

                _header.AddRange(buffer[..newline].ToArray());
                buffer = buffer[(newline + 1)..];
                var line = _header.ToArray();
                _header.Clear();
                var text = System.Text.Encoding.ASCII.GetString(line).Trim();
                if (text.StartsWith(Marker, StringComparison.Ordinal))
                {
                    _processGroup.TrySetResult(Parse(text[Marker.Length..]));
                }
                else
                {
                    if (!_discard)
                    {
                        // Something printed before the wrapper ran (e.g. a login script), or the command's own: output.
                        _pipe.Writer.Write(line);
                        _pipe.Writer.Write("\n"u8);
                    }

                    if (_firstLineOnly)
                    {
                        _processGroup.TrySetResult(null);
                    }
                }
            }

            if (!_discard && !buffer.IsEmpty)
            {
                _pipe.Writer.Write(buffer);
            }

            flush = _pipe.Writer.FlushAsync();
        }

        if (!flush.IsCompleted)
        {
            // Back-pressure: the reader is behind by more than the high watermark. Wait (outside the lock, so a
            // kill can still complete the sink) until it has caught up or stopped reading.
            _gauge.Enter();
            try
            {
                flush.AsTask().GetAwaiter().GetResult();
            }
            finally
            {
                _gauge.Exit();
            }
        }
    }

    public override void Flush()
    {
    }

    private static RemoteProcess? Parse(string ids)
    {
        var parts = ids.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var group) && group > 1
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var watcher) && watcher is 0 or > 1
            ? new RemoteProcess(group, watcher)
            : null;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Stops reading (the command is being disposed): a receive loop waiting for the reader goes on.</summary>
    public void Sever() => _pipe.Reader.Complete();

    /// <summary>End of data: the reader sees EOF after what was written.</summary>
    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (!_completed)
            {
                _completed = true;
                if (_header is { Count: > 0 } && !_discard && !_processGroup.Task.IsCompleted)
                {
                    _pipe.Writer.Write(_header.ToArray());
                }

                _processGroup.TrySetResult(null);
                _pipe.Writer.Complete();
            }
        }

        base.Dispose(disposing);
    }
}
