namespace RControl.Jobs;

/// <summary>The daemon knows no job with that id (never submitted, or deleted by retention).</summary>
public sealed class JobNotFoundException : SessionException
{
    public JobNotFoundException(string jobId)
        : base($"no job '{jobId}' on the daemon (unknown, or deleted by retention)")
    {
        JobId = jobId;
    }

    /// <summary>The id asked for.</summary>
    public string JobId { get; }
}
