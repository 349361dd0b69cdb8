using System.Text;

namespace RControl.Hosting;

/// <summary>
/// Typed overrides of <c>rcontrol.readers</c>, the limits of the output line readers (see docs/config.md). A value left
/// null keeps the configuration's (the reference default unless the HOCON sets it); a value set wins over the HOCON.
/// Each value must be at least 1, checked when it is set.
/// </summary>
public sealed record RControlReaderOptions
{
    private readonly int? _maxLineLength;
    private readonly int? _batchMaxChars;
    private readonly int? _window;
    private readonly int? _bufferSize;

    /// <summary><c>max-line-length</c>: longer lines are delivered as several lines of at most this many characters.</summary>
    public int? MaxLineLength { get => _maxLineLength; init => _maxLineLength = Checked(value, nameof(MaxLineLength)); }

    /// <summary><c>batch-max-chars</c>: a batch of lines is handed on once it holds this many characters.</summary>
    public int? BatchMaxChars { get => _batchMaxChars; init => _batchMaxChars = Checked(value, nameof(BatchMaxChars)); }

    /// <summary><c>window</c>: batches in flight per stream before the reader pauses the command.</summary>
    public int? Window { get => _window; init => _window = Checked(value, nameof(Window)); }

    /// <summary><c>buffer-size</c>: most bytes read from a stdout/stderr stream at a time.</summary>
    public int? BufferSize { get => _bufferSize; init => _bufferSize = Checked(value, nameof(BufferSize)); }

    /// <summary>The values set, as HOCON lines under <c>rcontrol.readers</c>.</summary>
    internal void AppendHocon(StringBuilder hocon)
    {
        Append(hocon, "max-line-length", MaxLineLength);
        Append(hocon, "batch-max-chars", BatchMaxChars);
        Append(hocon, "window", Window);
        Append(hocon, "buffer-size", BufferSize);
    }

    private static void Append(StringBuilder hocon, string key, int? value)
    {
        if (value is { } set)
        {
            hocon.Append("rcontrol.readers.").Append(key).Append(" = ").AppendLine(HoconValue.Of(set));
        }
    }

    private static int? Checked(int? value, string name) => value is { } set ? HoconValue.Positive(set, name) : null;
}
