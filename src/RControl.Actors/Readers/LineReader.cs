using System.Buffers;
using System.Text;

namespace RControl.Readers;

/// <summary>
/// Turns a byte stream into lines: LF or CRLF endings, a last line without newline, invalid UTF-8
/// replaced by U+FFFD, lines longer than the maximum split. Lines are posted in batches, in order;
/// before each post the reader takes a credit, so a slow consumer pauses the reader (and through
/// the pipe, the producer) instead of growing a queue.
/// </summary>
internal sealed class LineReader
{
    private readonly Stream _stream;
    private readonly LineReaderSettings _settings;
    private readonly Action<string[]> _post;
    private readonly SemaphoreSlim _credits;
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly StringBuilder _partial = new();
    private bool _partialEndsWithCr;
    private readonly List<string> _batch = new();

    /// <param name="stream">The stream to read until end.</param>
    /// <param name="settings">Limits.</param>
    /// <param name="post">Receives each batch of lines; must not block.</param>
    /// <param name="credits">One credit is taken per batch; the consumer releases it when done with the batch.</param>
    public LineReader(Stream stream, LineReaderSettings settings, Action<string[]> post, SemaphoreSlim credits)
    {
        _stream = stream;
        _settings = settings;
        _post = post;
        _credits = credits;
    }

    /// <summary>Bytes of the first reads: most commands print little, and many may run at once.</summary>
    private const int FirstBufferSize = 4096;

    /// <summary>Reads to the end of the stream, posting every line.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The buffers are pooled and start small: a short command's two readers allocated ~380 KB each time (the chars
        // on the large-object heap), and 1,000 commands at once held that much each. A read that fills the small
        // buffer switches to the full size. Buffers go back to the pool only after a clean end: a read cut off by an
        // exception might still be writing into its buffer.
        var size = Math.Min(FirstBufferSize, _settings.BufferSize);
        var bytes = ArrayPool<byte>.Shared.Rent(size);
        var chars = ArrayPool<char>.Shared.Rent(size);
        while (true)
        {
            var read = await _stream.ReadAsync(bytes.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            GarbagePacer.Moved(2L * read); // each line becomes a string of UTF-16: twice its bytes in garbage
            var flush = read == 0;
            Decode(bytes.AsSpan(0, read), chars.AsSpan(0, size), flush);
            if (flush)
            {
                if (_partial.Length > 0 || _partialEndsWithCr)
                {
                    AddLine(TakePartial(keepCr: true));
                }

                await PostBatchAsync(cancellationToken).ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(bytes);
                ArrayPool<char>.Shared.Return(chars);
                return;
            }

            await PostBatchAsync(cancellationToken).ConfigureAwait(false);
            if (read == size && size < _settings.BufferSize)
            {
                ArrayPool<byte>.Shared.Return(bytes);
                ArrayPool<char>.Shared.Return(chars);
                size = _settings.BufferSize;
                bytes = ArrayPool<byte>.Shared.Rent(size);
                chars = ArrayPool<char>.Shared.Rent(size);
            }
        }
    }

    /// <summary>Decodes bytes into lines through a char buffer of any size (the decoder keeps a split character).</summary>
    private void Decode(ReadOnlySpan<byte> bytes, Span<char> chars, bool flush)
    {
        var completed = false;
        while (!completed)
        {
            _decoder.Convert(bytes, chars, flush, out var bytesUsed, out var charsUsed, out completed);
            Split(chars[..charsUsed]);
            bytes = bytes[bytesUsed..];
        }
    }

    private void Split(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf('\n');
            var segment = newline < 0 ? text : text[..newline];
            if (newline >= 0 && _partial.Length == 0 && !_partialEndsWithCr && segment.Length <= _settings.MaxLineLength)
            {
                // Fast path: a whole line inside this buffer.
                var end = segment.Length > 0 && segment[^1] == '\r' ? segment.Length - 1 : segment.Length;
                AddLine(new string(segment[..end]));
            }
            else
            {
                AppendPartial(segment);
                if (newline >= 0)
                {
                    AddLine(TakePartial(keepCr: false));
                }
            }

            text = newline < 0 ? ReadOnlySpan<char>.Empty : text[(newline + 1)..];
        }
    }

    private void AppendPartial(ReadOnlySpan<char> segment)
    {
        if (_partialEndsWithCr && segment.Length > 0)
        {
            _partial.Append('\r');
            _partialEndsWithCr = false;
        }

        // A trailing CR is held back: it belongs to a CRLF if the next read starts with LF.
        if (segment.Length > 0 && segment[^1] == '\r')
        {
            segment = segment[..^1];
            _partialEndsWithCr = true;
        }

        while (_partial.Length + segment.Length > _settings.MaxLineLength)
        {
            var room = _settings.MaxLineLength - _partial.Length;
            _partial.Append(segment[..room]);
            segment = segment[room..];
            AddLine(_partial.ToString());
            _partial.Clear();
        }

        _partial.Append(segment);
    }

    private string TakePartial(bool keepCr)
    {
        if (keepCr && _partialEndsWithCr)
        {
            _partial.Append('\r');
        }

        _partialEndsWithCr = false;
        var line = _partial.ToString();
        _partial.Clear();
        return line;
    }

    private void AddLine(string line)
    {
        _batch.Add(line);
    }

    private async Task PostBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count == 0)
        {
            return;
        }

        // Split very large reads into batches of bounded size, each taking its own credit. Each batch is
        // copied out into its own array, so the list is reused for the next read.
        var lines = _batch;
        var start = 0;
        while (start < lines.Count)
        {
            var end = start;
            var chars = 0;
            while (end < lines.Count && (end == start || chars + lines[end].Length <= _settings.BatchMaxChars))
            {
                chars += lines[end].Length + 1;
                end++;
            }

            await _credits.WaitAsync(cancellationToken).ConfigureAwait(false);
            var batch = new string[end - start];
            lines.CopyTo(start, batch, 0, batch.Length);
            _post(batch);
            start = end;
        }

        lines.Clear();
    }
}
