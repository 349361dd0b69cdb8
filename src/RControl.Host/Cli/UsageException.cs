namespace RControl.Host.Cli;

/// <summary>Bad usage or bad input, found before anything runs: the CLI prints the message on one line and exits with status 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
