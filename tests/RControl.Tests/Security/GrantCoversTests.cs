using RControl.Security;

namespace RControl.Tests.Security;

/// <summary>When a changed grant logs a connected client out: revoked or narrowed, never widened.</summary>
public sealed class GrantCoversTests
{
    private static Grant Of(string[]? sessions, params Operation[] operations) =>
        new("ci", sessions is null ? null : new HashSet<string>(sessions), new HashSet<Operation>(operations));

    [Fact]
    public void A_wider_or_equal_grant_covers_the_old_one()
    {
        var old = Of(["web"], Operation.Exec);
        Assert.True(Of(["web"], Operation.Exec).Covers(old));
        Assert.True(Of(["web", "db"], Operation.Exec, Operation.FileRead).Covers(old));
        Assert.True(Of(null, Operation.Exec).Covers(old));
        Assert.True(Of(["x"], Operation.Admin).Covers(old));
    }

    [Fact]
    public void A_narrower_or_revoked_grant_does_not()
    {
        var old = Of(["web", "db"], Operation.Exec, Operation.FileRead);
        Assert.False(Of(["web"], Operation.Exec, Operation.FileRead).Covers(old));
        Assert.False(Of(["web", "db"], Operation.Exec).Covers(old));
        Assert.False(Of(null, Operation.Exec, Operation.FileRead).Covers(Of(null, Operation.Admin)));
        Assert.False(Of(["web"], Operation.Exec).Covers(Of(null, Operation.Exec)));
        Assert.False((Of(["web", "db"], Operation.Exec, Operation.FileRead) with { Revoked = true }).Covers(old));
    }
}
