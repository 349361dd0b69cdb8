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

/// <summary>A client entry is read strictly: a misspelt key is refused naming client and key, never silently ignored.</summary>
public sealed class ClientGrantsParseTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoGroups = new Dictionary<string, IReadOnlyList<string>>();

    [Fact]
    public void A_misspelt_key_in_a_client_entry_is_refused_naming_client_and_key()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("""clients { ci { sessions = ["web"], operatons = [exec] } }""");
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => ClientGrants.Parse(config, NoGroups));
        Assert.Contains("client 'ci': unknown key 'operatons'", error.Message);
    }

    [Fact]
    public void A_revoked_entry_is_read_as_revoked()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("""clients { ci { sessions = ["web"], operations = [exec], revoked = true } }""");
        var certificate = CertificateOf("ci");
        Assert.True(ClientGrants.Parse(config, NoGroups).For(certificate).Revoked);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 CertificateOf(string name)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={name}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
