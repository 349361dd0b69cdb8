namespace RControl.Protocol;

/// <summary>Which stream of a command a line came from.</summary>
public enum OutputStream
{
    /// <summary>Standard output (also carries stderr when streams are combined).</summary>
    Stdout,

    /// <summary>Standard error, when read separately.</summary>
    Stderr,
}
