namespace RControl.Host.Cli;

/// <summary>Bad usage or bad input, found before anything runs: the CLI prints the message on one line and exits with status 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The engine could not be started or the daemon reached: one line on stderr, status 1.</summary>
public sealed class EngineStartException : Exception
{
    public EngineStartException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
