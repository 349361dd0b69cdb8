namespace RControl.Remote;

/// <summary>An RControl engine (daemon or remoting host) could not be reached or did not answer in time.</summary>
public sealed class EngineUnreachableException : SessionException
{
    public EngineUnreachableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
