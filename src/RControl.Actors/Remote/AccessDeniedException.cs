namespace RControl.Remote;

/// <summary>The engine refused this client: the login (credential not accepted) or a request (not granted).</summary>
public sealed class AccessDeniedException : SessionException
{
    public AccessDeniedException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
