namespace RControl;

/// <summary>A session could not be used: unknown name, closed, bad configuration, unreachable host.</summary>
public class SessionException : Exception
{
    public SessionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>No session has the given name.</summary>
public sealed class UnknownSessionException : SessionException
{
    public UnknownSessionException(string name, IEnumerable<string> known)
        : base($"unknown session '{name}' (known: {string.Join(", ", known.Order())})")
    {
        SessionName = name;
    }

    /// <summary>The name that was asked for.</summary>
    public string SessionName { get; }
}
