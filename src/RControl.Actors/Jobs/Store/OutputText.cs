using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace RControl.Jobs;

/// <summary>
/// A chunk's lines as the store takes them: UTF-8, each line ended by <c>\n</c> (lines never hold one). A job encodes
/// its lines as they arrive, so they are counted against the cap in the same pass and the strings die young; the buffer
/// is rented from the shared pool and returned by the writer once the chunk is committed.
/// </summary>
internal sealed class OutputText
{
    private byte[]? _pooled;

    private OutputText(byte[] buffer, int length, int lineCount)
    {
        Buffer = buffer;
        Length = length;
        LineCount = lineCount;
        _pooled = buffer;
    }

    /// <summary>The encoded lines (the first <see cref="Length"/> bytes).</summary>
    public byte[] Buffer { get; }

    /// <summary>Bytes of the lines with their newlines: what the cap counts.</summary>
    public int Length { get; }

    public int LineCount { get; }

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    /// <summary>Encodes lines (a buffer that is not returned to the pool is only collected).</summary>
    public static OutputText Of(IReadOnlyList<string> lines)
    {
        var builder = new Builder(DateTimeOffset.UtcNow);
        foreach (var line in lines)
        {
            builder.Append(line, long.MaxValue);
        }

        return builder.Build();
    }

    /// <summary>Gives a pooled buffer back (once); the text is not read afterwards.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _pooled, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The lines again (for reading back and tests).</summary>
    public string[] ToLines() => Decode(Span, LineCount);

    /// <summary>Splits UTF-8 text of <paramref name="lineCount"/> newline-ended lines.</summary>
    public static string[] Decode(ReadOnlySpan<byte> text, int lineCount)
    {
        if (lineCount == 0 || text.IsEmpty)
        {
            return [];
        }

        var all = Encoding.UTF8.GetString(text[^1] == (byte)'\n' ? text[..^1] : text);
        return lineCount == 1 ? [all] : all.Split('\n');
    }

    /// <summary>Gathers lines of one task and stream into a pooled buffer.</summary>
    /// <param name="at">When the first line arrived.</param>
    /// <param name="chunkBytes">The size the chunk is stored at: a buffer that outgrows its first 16 KiB grows to it at once (one copy, not five).</param>
    internal sealed class Builder(DateTimeOffset at, int chunkBytes = 0)
    {
        private const int InitialBytes = 16 * 1024;

        /// <summary>Lines up to this long are narrowed in a loop: a call to the vectorised converters costs more than they save.</summary>
        private const int ShortLine = 16;

        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);

        /// <summary>When the first line arrived.</summary>
        public DateTimeOffset At { get; } = at;

        public int Length { get; private set; }

        public int LineCount { get; private set; }

        /// <summary>At most how many bytes <paramref name="line"/> takes (exact for long lines, so a huge line rents no more than it needs).</summary>
        public static int MaxBytes(string line) => (line.Length <= 4096 ? Encoding.UTF8.GetMaxByteCount(line.Length) : Encoding.UTF8.GetByteCount(line)) + 1;

        /// <summary>Appends a line unless its bytes would take the total past <paramref name="room"/>; returns its size, or -1 when it did not fit.</summary>
        public int Append(string line, long room) => Append(line, MaxBytes(line), room);

        /// <summary>As <see cref="Append(string, long)"/>, with the line's <see cref="MaxBytes"/> already known.</summary>
        public int Append(string line, int max, long room)
        {
            if (Length + max > _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, chunkBytes), Length + max));
                _buffer.AsSpan(0, Length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            // Most output is ASCII: narrowing it skips the UTF-8 encoder's per-call work (and for short lines, any call).
            var into = _buffer.AsSpan(Length);
            var size = (line.Length <= ShortLine && NarrowShort(line, into) ? line.Length
                : Ascii.FromUtf16(line, into, out var ascii) == OperationStatus.Done ? ascii
                : Encoding.UTF8.GetBytes(line, into)) + 1;
            if (size > room)
            {
                return -1;
            }

            _buffer[Length + size - 1] = (byte)'\n';
            Length += size;
            LineCount++;
            return size;
        }

        /// <summary>Copies an ASCII line byte by byte (false at its first non-ASCII character); <paramref name="into"/> holds its <see cref="MaxBytes"/>.</summary>
        private static bool NarrowShort(string line, Span<byte> into)
        {
            ref var to = ref MemoryMarshal.GetReference(into);
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (c > 0x7F)
                {
                    return false;
                }

                Unsafe.Add(ref to, i) = (byte)c;
            }

            return true;
        }

        /// <summary>The gathered lines; the builder is not used afterwards.</summary>
        public OutputText Build() => new(_buffer, Length, LineCount);

        /// <summary>Gives the buffer back without building (nothing was gathered).</summary>
        public void Discard() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
