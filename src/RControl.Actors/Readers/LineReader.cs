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

    /// <summary>Reads to the end of the stream, posting every line.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var bytes = new byte[_settings.BufferSize];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length) + 4];
        while (true)
        {
            var read = await _stream.ReadAsync(bytes, cancellationToken).ConfigureAwait(false);
            var flush = read == 0;
            var count = _decoder.GetChars(bytes, 0, read, chars, 0, flush);
            Split(chars.AsSpan(0, count));
            if (flush)
            {
                if (_partial.Length > 0 || _partialEndsWithCr)
                {
                    AddLine(TakePartial(keepCr: true));
                }

                await PostBatchAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await PostBatchAsync(cancellationToken).ConfigureAwait(false);
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
