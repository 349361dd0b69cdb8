namespace RControl.Jobs;

/// <summary>The daemon's job store is unavailable and a wait or a follow waits for it to come back (raised once per outage).</summary>
public sealed class JobStoreWaitingEventArgs : EventArgs
{
    public JobStoreWaitingEventArgs(string reason)
    {
        Reason = reason;
    }

    /// <summary>Why, as the daemon said it (it names the store, never a password).</summary>
    public string Reason { get; }
}
