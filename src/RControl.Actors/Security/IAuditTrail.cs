using RControl.Jobs;

namespace RControl.Security;

/// <summary>Where audit entries are persisted besides the log (the daemon's job store).</summary>
internal interface IAuditTrail
{
    /// <summary>Records one entry (never blocks).</summary>
    void Record(AuditEntry entry);
}
