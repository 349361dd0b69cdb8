using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RControl.Security;

/// <summary>
/// The login's proof of possession: the client signs the engine's random nonce with the private key of the
/// certificate it presents; the engine checks the signature with that certificate's public key.
/// </summary>
internal static class LoginProof
{
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("rcontrol-login-v1:");

    /// <summary>A fresh 32-byte nonce.</summary>
    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(32);

    /// <summary>Signs the nonce with the certificate's private key (ECDSA or RSA).</summary>
    public static byte[] Sign(X509Certificate2 certificate, byte[] nonce)
    {
        var data = Payload(nonce);
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return ecdsa.SignData(data, HashAlgorithmName.SHA256);
        }

        using var rsa = certificate.GetRSAPrivateKey() ?? throw new CryptographicException($"{certificate.Subject}: no ECDSA or RSA private key");
        return rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>True when <paramref name="signature"/> is the certificate holder's signature of the nonce.</summary>
    public static bool Verify(X509Certificate2 certificate, byte[] nonce, byte[] signature)
    {
        var data = Payload(nonce);
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static byte[] Payload(byte[] nonce) => [.. Context, .. nonce];
}
