namespace RControl.Transports;

/// <summary>Builds the script given to <c>/bin/sh -c</c> for local and SSH commands.</summary>
internal static class ShellScript
{
    /// <summary>
    /// Wraps a command so that, when combined, stderr goes into the same pipe as stdout
    /// (exactly like <c>stderr=STDOUT</c>: one ordered stream).
    /// </summary>
    public static string Wrap(string command, bool combineStderr) =>
        combineStderr ? "exec 2>&1\n" + command : command;

    /// <summary>Quotes a string for a POSIX shell.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
