using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;

namespace RControl.Transports.Ssh;

/// <summary>
/// Receives a channel's bytes from SSH.NET's receive loop (never blocks it: the buffer has no limit) and exposes
/// them as an asynchronously readable stream, so no thread waits on a read. Optionally takes the first line as the
/// remote process-group id written by the command wrapper (see <see cref="SshCommandLine"/>).
/// </summary>
internal sealed class ChannelSink : Stream
{
    /// <summary>What the wrapper prints before the process-group id.</summary>
    public const string Marker = "rcontrol-pgid:";

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly TaskCompletionSource<int?> _processGroup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte>? _header;
    private readonly bool _discard;
    private readonly object _gate = new();
    private bool _completed;

    /// <param name="readsProcessGroup">The first line is the process-group id, not output.</param>
    /// <param name="discard">Drop everything after the header (stderr of a combined command).</param>
    public ChannelSink(bool readsProcessGroup, bool discard = false)
    {
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

    /// <summary>The remote process-group id once the wrapper has printed it; null when the channel ended first.</summary>
    public Task<int?> ProcessGroup => _processGroup.Task;

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
                    _processGroup.TrySetResult(int.TryParse(text[Marker.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 1 ? id : null);
                }
                else if (!_discard)
                {
                    // Something printed before the wrapper ran (e.g. a login script): it is output, keep it.
                    _pipe.Writer.Write(line);
                    _pipe.Writer.Write("\n"u8);
                }
            }

            if (!_discard && !buffer.IsEmpty)
            {
                _pipe.Writer.Write(buffer);
            }

            // Never pauses (no writer threshold): completes synchronously.
            _ = _pipe.Writer.FlushAsync().AsTask();
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

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
