namespace RControl.Readers;

/// <summary>Limits of the line readers (from the <c>rcontrol</c> HOCON section).</summary>
/// <param name="MaxLineLength">Longer lines are delivered as several lines of at most this many characters.</param>
/// <param name="BatchMaxChars">A batch is posted once it holds this many characters (or at the end of each read).</param>
/// <param name="Window">Batches posted but not yet acknowledged before the reader pauses (back-pressure).</param>
/// <param name="BufferSize">Most bytes read from the stream at a time (the first reads take 4 KiB; a read that fills them switches to this).</param>
internal sealed record LineReaderSettings(int MaxLineLength, int BatchMaxChars, int Window, int BufferSize)
{
    /// <summary>The defaults of <c>hocon/reference.conf</c>.</summary>
    public static LineReaderSettings Default { get; } = new(1_048_576, 65_536, 8, 65_536);
}
