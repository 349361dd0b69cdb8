using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace RControl.Host.Cli.Output;

/// <summary>
/// Writes prefixed lines in batches: lines go into a buffer, written whole when it fills or a few milliseconds after
/// the first unwritten line (so a pipe still sees output as it comes, without a write per line). When the target is a
/// UTF-8 <see cref="StreamWriter"/> (rcontrol's stdout), each line is encoded once, straight into the byte buffer
/// that goes to its stream, behind its target's prefix encoded once (<see cref="For"/>).
/// </summary>
public sealed class BatchedWriter
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private const int FlushAt = 64 * 1024;

    private readonly TextWriter _target;
    private readonly Stream? _stream;
    private readonly StringBuilder _buffer = new();
    private readonly byte[] _bytes = [];
    private readonly Lock _gate = new();
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

    /// <summary>The lines of one target, each written as <c>label: line</c>.</summary>
    public PrefixedLines For(string label) => new(this, label);

    /// <summary>Adds <c>label: line</c>.</summary>
    public void WriteLine(string label, string line) => For(label).Write(line);

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

    /// <summary>
    /// Adds one prefixed line. The hot path of plain output (a million lines a second): compiled once, fully optimised,
    /// at its first call, where ready-to-run code would call the framework's encoder without inlining, then be
    /// instrumented and compiled twice more by tiering during a run of a second or two. ASCII is copied byte by byte (a
    /// line of output is short); the rest of a line from its first non-ASCII character goes through the encoder.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(PrefixedLines lines, string line)
    {
        lock (_gate)
        {
            if (_stream is null)
            {
                _buffer.Append(lines.Prefix).Append(line).Append('\n');
                if (_buffer.Length >= FlushAt)
                {
                    WriteBuffer();
                }
            }
            else
            {
                var prefix = lines.PrefixBytes;
                var bytes = _bytes;
                var at = _used;

                // Upper bound of the encoded size: 3 bytes per UTF-16 char at most.
                var most = prefix.Length + (line.Length * 3) + 1;
                if (at + most > bytes.Length)
                {
                    WriteBuffer();
                    at = 0;
                    if (most > bytes.Length)
                    {
                        WriteLarge(prefix, line, most);
                        return;
                    }
                }

                for (var p = 0; p < prefix.Length; p++)
                {
                    bytes[at + p] = prefix[p];
                }

                at += prefix.Length;
                var i = 0;
                if (line.Length <= 64)
                {
                    for (; i < line.Length; i++)
                    {
                        var c = line[i];
                        if (c >= 0x80)
                        {
                            break;
                        }

                        bytes[at++] = (byte)c;
                    }
                }

                if (i < line.Length)
                {
                    // Never splits a surrogate pair: what came before is ASCII.
                    at += Utf8.GetBytes(line.AsSpan(i), bytes.AsSpan(at));
                }

                bytes[at++] = (byte)'\n';
                _used = at;
                if (at >= FlushAt)
                {
                    WriteBuffer();
                }
            }

            if (!_flushScheduled && (_used > 0 || _buffer.Length > 0))
            {
                _flushScheduled = true;
                _ = FlushLaterAsync();
            }
        }
    }

    /// <summary>A line longer than the buffer: encoded into a pooled array of its own and written at once.</summary>
    private void WriteLarge(byte[] prefix, string line, int most)
    {
        var large = ArrayPool<byte>.Shared.Rent(most);
        try
        {
            prefix.CopyTo(large, 0);
            var length = prefix.Length + Utf8.GetBytes(line, 0, line.Length, large, prefix.Length);
            large[length++] = (byte)'\n';
            _stream!.Write(large, 0, length);
            _stream.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(large);
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

/// <summary>
/// One target's lines into a <see cref="BatchedWriter"/>: its prefix (<c>label: </c>) encoded once, so that a line
/// costs its own bytes only. <see cref="Write(CommandTask, string)"/> fits the engine's output callback.
/// </summary>
public sealed class PrefixedLines
{
    private readonly BatchedWriter _writer;

    internal PrefixedLines(BatchedWriter writer, string label)
    {
        _writer = writer;
        Prefix = label + ": ";
        PrefixBytes = new UTF8Encoding(false).GetBytes(Prefix);
    }

    internal string Prefix { get; }

    internal byte[] PrefixBytes { get; }

    /// <summary>Adds <c>label: line</c>.</summary>
    public void Write(string line) => _writer.Add(this, line);

    /// <summary>Adds <c>label: line</c> (the engine's output callback).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(CommandTask task, string line) => _writer.Add(this, line);
}
