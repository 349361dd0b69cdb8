using System.Security.Cryptography;

namespace RControl.TestSupport;

/// <summary>A generated OpenSSH key pair.</summary>
/// <param name="PrivateKeyFile">The private key (OpenSSH format, mode 0600).</param>
/// <param name="PublicKeyLine">The public key as one <c>type base64 comment</c> line.</param>
public sealed record SshKeyPair(string PrivateKeyFile, string PublicKeyLine)
{
    /// <summary>The key type word, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType => PublicKeyLine.Split(' ')[0];

    /// <summary>The key blob in base64, as in known_hosts and authorized_keys.</summary>
    public string Base64 => PublicKeyLine.Split(' ')[1];

    /// <summary>The OpenSSH SHA256 fingerprint, e.g. <c>SHA256:abc…</c> (no padding).</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(Base64))).TrimEnd('=');
}

/// <summary>Generates key pairs with <c>ssh-keygen</c>.</summary>
public static class SshKeys
{
    /// <summary>
    /// Generates a key of <paramref name="type"/> (<c>ed25519</c>, <c>ecdsa</c>, <c>rsa</c>) in OpenSSH format at
    /// <paramref name="path"/> (and <c>path.pub</c>), with an optional passphrase.
    /// </summary>
    public static async Task<SshKeyPair> GenerateAsync(string path, string type = "ed25519", string? passphrase = null, string comment = "rcontrol-test")
    {
        var arguments = new List<string> { "-q", "-t", type, "-N", passphrase ?? string.Empty, "-C", comment, "-f", path };
        if (type == "rsa")
        {
            arguments.InsertRange(0, ["-b", "2048"]);
        }

        File.Delete(path);
        File.Delete(path + ".pub");
        await ProcessRunner.RunCheckedAsync("ssh-keygen", [.. arguments]).ConfigureAwait(false);
        return new SshKeyPair(path, (await File.ReadAllTextAsync(path + ".pub").ConfigureAwait(false)).Trim());
    }
}
