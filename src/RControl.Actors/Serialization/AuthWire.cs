using System.Runtime.Serialization;
using Akka.Actor;
using Google.Protobuf;
using RControl.Protocol;
using RControl.Security;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>Mapping of the login and authorization records to <c>auth.proto</c>, with the bounds of each field.</summary>
internal static class AuthWire
{
    /// <summary>A DER certificate larger than this is refused before anything parses it.</summary>
    public const int MaxCertificateBytes = 16 * 1024;

    /// <summary>Nonces and signatures are small (32 bytes; an ECDSA or RSA signature).</summary>
    public const int MaxProofBytes = 1024;

    public static W.LoginHello ToWire(Login.Hello m)
    {
        var wire = new W.LoginHello { Client = Akka.Serialization.Serialization.SerializedActorPath(m.Client) };
        if (m.Certificate is { } certificate)
        {
            wire.Certificate = ByteString.CopyFrom(certificate);
        }

        return wire;
    }

    public static Login.Hello FromWire(W.LoginHello w, ExtendedActorSystem system) =>
        new(w.HasCertificate ? Bytes(w.Certificate, MaxCertificateBytes, "LoginHello.certificate") : null, system.Provider.ResolveActorRef(w.Client));

    public static W.LoginChallenge ToWire(Login.Challenge m) =>
        new() { Nonce = ByteString.CopyFrom(m.Nonce), Connection = Akka.Serialization.Serialization.SerializedActorPath(m.Connection) };

    public static Login.Challenge FromWire(W.LoginChallenge w, ExtendedActorSystem system) =>
        new(Bytes(w.Nonce, MaxProofBytes, "LoginChallenge.nonce"), system.Provider.ResolveActorRef(w.Connection));

    public static W.LoginProof ToWire(Login.Proof m) => new() { Signature = ByteString.CopyFrom(m.Signature) };

    public static Login.Proof FromWire(W.LoginProof w) => new(Bytes(w.Signature, MaxProofBytes, "LoginProof.signature"));

    public static W.LoginAccepted ToWire(Login.Accepted m) => new() { Identity = m.Identity, Admin = m.Admin };

    public static Login.Accepted FromWire(W.LoginAccepted w) => new(w.Identity, w.Admin);

    public static W.LoginRefused ToWire(Login.Refused m) => new() { Reason = m.Reason };

    public static Login.Refused FromWire(W.LoginRefused w) => new(w.Reason);

    public static W.AccessDenied ToWire(AccessDenied m) => new() { Reason = m.Reason };

    public static AccessDenied FromWire(W.AccessDenied w) => new(w.Reason);

    private static byte[] Bytes(ByteString data, int max, string field) =>
        data.Length <= max ? data.ToByteArray() : throw new SerializationException($"{field} holds {data.Length} bytes, more than the {max} allowed");
}
