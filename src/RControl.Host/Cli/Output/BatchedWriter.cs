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

    /// <summary>Whether lines go to the stream as UTF-8 bytes (rcontrol's stdout), so that a target can gather its own.</summary>
    internal bool WritesBytes => _stream is not null;

    /// <summary>Adds one prefixed line to the shared buffer, written when it fills or within 20 ms.</summary>
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
                var most = MostBytes(lines.PrefixBytes, line);
                if (_used + most > _bytes.Length)
                {
                    WriteBuffer();
                    if (most > _bytes.Length)
                    {
                        WriteLarge(lines.PrefixBytes, line, most);
                        return;
                    }
                }

                _used = Encode(lines.PrefixBytes, line, _bytes, _used);
                if (_used >= FlushAt)
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

    /// <summary>Writes a target's gathered lines in one write, after what the shared buffer holds.</summary>
    internal void WriteBatch(byte[] bytes, int count)
    {
        lock (_gate)
        {
            WriteBuffer();
            _stream!.Write(bytes, 0, count);
            _stream.Flush();
        }
    }

    /// <summary>A line longer than any buffer: written at once, after what the shared buffer holds.</summary>
    internal void WriteLarge(PrefixedLines lines, string line)
    {
        lock (_gate)
        {
            WriteBuffer();
            WriteLarge(lines.PrefixBytes, line, MostBytes(lines.PrefixBytes, line));
        }
    }

    /// <summary>Upper bound of the encoded size of a prefixed line: 3 bytes per UTF-16 char at most.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int MostBytes(byte[] prefix, string line) => prefix.Length + (line.Length * 3) + 1;

    /// <summary>
    /// Encodes <c>prefix line\n</c> at <paramref name="at"/> and returns the index after it. Inlined into the two hot
    /// callers, which are compiled once, fully optimised, at their first call (ready-to-run code would call the
    /// framework's encoder without inlining, then be instrumented and compiled twice more by tiering during a run of a
    /// second or two). ASCII is copied byte by byte (a line of output is short); the rest of a line from its first
    /// non-ASCII character, and a line longer than 64 chars, go through the vectorised encoder.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Encode(byte[] prefix, string line, byte[] bytes, int at)
    {
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
        return at;
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
/// One target's lines of one stream into a <see cref="BatchedWriter"/>, its prefix (<c>label: </c>) encoded once. From
/// the engine (<see cref="Write(CommandTask, string)"/>), lines gather in a pooled buffer of their own, without a lock,
/// and go out in one write at the end of the engine's batch (<see cref="EndBatch"/>); the buffer goes back to the pool
/// then, so that a thousand quiet targets hold none. Used by one task at a time, as the engine's callbacks are.
/// </summary>
public sealed class PrefixedLines
{
    private const int BufferSize = 128 * 1024;

    private readonly BatchedWriter _writer;
    private byte[]? _bytes;
    private int _used;

    internal PrefixedLines(BatchedWriter writer, string label)
    {
        _writer = writer;
        Prefix = label + ": ";
        PrefixBytes = new UTF8Encoding(false).GetBytes(Prefix);
    }

    internal string Prefix { get; }

    internal byte[] PrefixBytes { get; }

    /// <summary>Adds <c>label: line</c> to the writer's shared buffer (written within 20 ms).</summary>
    public void Write(string line) => _writer.Add(this, line);

    /// <summary>The engine's output callback: adds <c>label: line</c> to this target's batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(CommandTask task, string line)
    {
        if (!_writer.WritesBytes)
        {
            _writer.Add(this, line);
            return;
        }

        var bytes = _bytes ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        var most = BatchedWriter.MostBytes(PrefixBytes, line);
        if (_used + most > bytes.Length)
        {
            if (_used > 0)
            {
                _writer.WriteBatch(bytes, _used);
                _used = 0;
            }

            if (most > bytes.Length)
            {
                _writer.WriteLarge(this, line);
                return;
            }
        }

        _used = BatchedWriter.Encode(PrefixBytes, line, bytes, _used);
    }

    /// <summary>The engine's batch ended: its lines go out in one write.</summary>
    public void EndBatch()
    {
        if (_bytes is not { } bytes)
        {
            return;
        }

        try
        {
            if (_used > 0)
            {
                _writer.WriteBatch(bytes, _used);
            }
        }
        finally
        {
            _used = 0;
            _bytes = null;
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
