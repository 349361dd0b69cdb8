using System.Buffers;
using System.Text;

namespace RControl.Host.Cli.Output;

/// <summary>
/// Writes prefixed lines in batches: lines go into a buffer, written whole when it fills or a few milliseconds after
/// the first unwritten line (so a pipe still sees output as it comes, without a write per line). When the target is a
/// UTF-8 <see cref="StreamWriter"/> (rcontrol's stdout), each line is encoded once, straight into the byte buffer
/// that goes to its stream.
/// </summary>
public sealed class BatchedWriter
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);
    private const int FlushAt = 64 * 1024;

    private readonly TextWriter _target;
    private readonly Stream? _stream;
    private readonly Encoding _encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly StringBuilder _buffer = new();
    private readonly byte[] _bytes = [];
    private readonly object _gate = new();
    private int _used;
    private bool _flushScheduled;

    public BatchedWriter(TextWriter target)
    {
        _target = target;
        if (target is StreamWriter { Encoding: UTF8Encoding } writer && writer.Encoding.GetPreamble().Length == 0)
        {
            _stream = writer.BaseStream;
            _bytes = new byte[FlushAt + 4096];
        }
    }

    /// <summary>Adds <c>label: line</c>.</summary>
    public void WriteLine(string label, string line)
    {
        lock (_gate)
        {
            if (_stream is null)
            {
                _buffer.Append(label).Append(": ").Append(line).Append('\n');
            }
            else
            {
                AddBytes(label, line);
            }

            if (Buffered >= FlushAt)
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

    private int Buffered => _stream is null ? _buffer.Length : _used;

    private void AddBytes(string label, string line)
    {
        // Upper bound of the encoded size (3 bytes per UTF-16 char at most); a line longer than the buffer is encoded
        // into a pooled array of its own. Array overloads: start-up runs this as ready-to-run code, where calls into
        // the framework are not inlined (span slicing per line cost more than the encoding).
        var most = ((label.Length + line.Length) * 3) + 3;
        if (_used + most > _bytes.Length)
        {
            WriteBuffer();
        }

        if (most > _bytes.Length)
        {
            var large = ArrayPool<byte>.Shared.Rent(most);
            try
            {
                var length = Encode(large, 0, label, line);
                _stream!.Write(large, 0, length);
                _stream.Flush();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(large);
            }

            return;
        }

        _used = Encode(_bytes, _used, label, line);
    }

    /// <summary>Encodes <c>label: line\n</c> at <paramref name="at"/>; returns the index after it.</summary>
    private int Encode(byte[] into, int at, string label, string line)
    {
        at += _encoding.GetBytes(label, 0, label.Length, into, at);
        into[at++] = (byte)':';
        into[at++] = (byte)' ';
        at += _encoding.GetBytes(line, 0, line.Length, into, at);
        into[at++] = (byte)'\n';
        return at;
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
        if (_stream is not null)
        {
            if (_used > 0)
            {
                // What the writer itself holds (nothing, unless written through WithWriter) goes first.
                _target.Flush();
                _stream.Write(_bytes, 0, _used);
                _stream.Flush();
                _used = 0;
            }

            return;
        }

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
