using RControl.Protocol;

namespace RControl.Jobs;

/// <summary>A request of the jobs protocol (served by the daemon's jobs through a client's connection).</summary>
internal interface IJobRequest : IRControlWireMessage
{
}

/// <summary>
/// The jobs protocol (<c>jobs.proto</c>): what a logged-in client asks of the daemon's jobs through its connection actor,
/// and the answers. Requests about one job are answered with <see cref="JobNotFound"/> when the daemon does not know it,
/// or an <see cref="AccessDenied"/> when it is not the caller's to see.
/// </summary>
internal static class JobProtocol
{
    /// <summary>Largest number of chunks in one <see cref="OutputPage"/>.</summary>
    public const int MaxChunksPerPage = 256;

    /// <summary>A page stops growing once it holds this many characters (at least one chunk is always sent).</summary>
    public const int MaxCharsPerPage = 1024 * 1024;

    /// <summary>The longest a client may ask the daemon to hold a request open (follow, wait).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>The refusal of a query the job store could not answer (it is down): clients that wait ask again.</summary>
    public static string StoreUnavailable(string store, string error) => $"the job store {store} is unavailable: {error}";

    /// <summary>Whether a refusal is <see cref="StoreUnavailable"/>'s.</summary>
    public static bool IsStoreUnavailable(string reason) =>
        reason.StartsWith("the job store ", StringComparison.Ordinal) && reason.Contains(" is unavailable: ", StringComparison.Ordinal);

    /// <summary>Run a job; answered with <see cref="Submitted"/>.</summary>
    public sealed record Submit(JobRequest Request) : IJobRequest;

    public sealed record Submitted(string JobId) : IRControlWireMessage;

    /// <summary>A job with its tasks; answered with <see cref="Found"/>.</summary>
    public sealed record Get(string JobId) : IJobRequest;

    public sealed record Found(JobInfo Job) : IRControlWireMessage;

    public sealed record JobNotFound(string JobId) : IRControlWireMessage;

    /// <summary>Jobs the caller may see; answered with <see cref="JobList"/>.</summary>
    public sealed record List(JobQuery Query) : IJobRequest;

    public sealed record JobList(IReadOnlyList<JobInfo> Jobs) : IRControlWireMessage;

    /// <summary>
    /// Output chunks after <paramref name="AfterSeq"/>; when there are none yet and the job runs, the answer waits up to
    /// <paramref name="Wait"/> for more. Answered with <see cref="OutputPage"/>.
    /// </summary>
    public sealed record ReadOutput(string JobId, long AfterSeq, TimeSpan Wait) : IJobRequest;

    /// <param name="Ended">The job has ended and every chunk up to <paramref name="LastSeq"/> is stored: nothing more will come.</param>
    public sealed record OutputPage(string JobId, IReadOnlyList<OutputChunk> Chunks, bool Ended, long LastSeq) : IRControlWireMessage;

    /// <summary>Lines of one task, in order; chunks are numbered in the order the daemon received them.</summary>
    public sealed record OutputChunk(long Seq, int TaskIndex, bool Stderr, DateTimeOffset At, IReadOnlyList<string> Lines);

    /// <summary>Kill a job's running tasks and skip its queued ones; answered with <see cref="KillAccepted"/>.</summary>
    public sealed record Kill(string JobId) : IJobRequest;

    /// <param name="WasRunning">False when the job had already ended (nothing was killed).</param>
    public sealed record KillAccepted(string JobId, bool WasRunning) : IRControlWireMessage;

    /// <summary>Wait up to <paramref name="Wait"/> for a job to end; answered with <see cref="Found"/> (ended or not).</summary>
    public sealed record WaitFor(string JobId, TimeSpan Wait) : IJobRequest;

    /// <summary>The audit trail (admin only); answered with <see cref="AuditPage"/>, oldest first.</summary>
    public sealed record ReadAudit(DateTimeOffset? Since, long AfterId, int Limit) : IJobRequest;

    public sealed record AuditPage(IReadOnlyList<StoredAuditEntry> Entries) : IRControlWireMessage;

    /// <summary>An audit entry with its position in the trail.</summary>
    public sealed record StoredAuditEntry(long Id, AuditEntry Entry);
}
