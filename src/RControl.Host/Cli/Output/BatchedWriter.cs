using System.Text;

namespace RControl.Host.Cli.Output;

/// <summary>
/// Writes prefixed lines to a stream in batches: lines go into a buffer, written whole when it fills or a few
/// milliseconds after the first unwritten line (so a pipe still sees output as it comes, without a write per line).
/// </summary>
public sealed class BatchedWriter
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);
    private const int FlushAt = 64 * 1024;

    private readonly TextWriter _target;
    private readonly StringBuilder _buffer = new();
    private readonly object _gate = new();
    private bool _flushScheduled;

    public BatchedWriter(TextWriter target)
    {
        _target = target;
    }

    /// <summary>Adds <c>label: line</c>.</summary>
    public void WriteLine(string label, string line)
    {
        lock (_gate)
        {
            _buffer.Append(label).Append(": ").Append(line).Append('\n');
            if (_buffer.Length >= FlushAt)
            {
                WriteBuffer();
            }
            else if (!_flushScheduled)
            {
                _flushScheduled = true;
                _ = FlushLaterAsync();
            }
        }
    }

    /// <summary>Writes with the target writer directly, after what is buffered (for the summary).</summary>
    public void WithWriter(Action<TextWriter> write)
    {
        lock (_gate)
        {
            WriteBuffer();
            write(_target);
            _target.Flush();
        }
    }

    /// <summary>Writes what is buffered now.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            WriteBuffer();
        }
    }

    private async Task FlushLaterAsync()
    {
        await Task.Delay(Delay).ConfigureAwait(false);
        lock (_gate)
        {
            _flushScheduled = false;
            WriteBuffer();
        }
    }

    private void WriteBuffer()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        foreach (var chunk in _buffer.GetChunks())
        {
            _target.Write(chunk.Span);
        }

        _target.Flush();
        _buffer.Clear();
    }
}
