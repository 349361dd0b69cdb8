using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using RControl.Protocol;

namespace RControl.Serialization;

/// <summary>
/// The serializer of every RControl message that crosses Akka.Remote (those implementing
/// <see cref="IRControlWireMessage"/>, bound once in <c>hocon/reference.conf</c>). The wire form is the protobuf schema
/// in <c>Protocol/Wire/*.proto</c> (wire version 2); each message has a short, stable manifest naming it
/// (<c>Execute</c>, <c>Output</c> …, see <see cref="WireFormats"/>).
/// </summary>
/// <remarks>
/// Reading is bounded: a payload larger than its message's limit (2 MiB for requests an engine receives, Akka.Remote's <c>maximum-frame-size</c> for answers) is refused before parsing, protobuf checks every length
/// against the bytes present, and <see cref="WireLimits"/> adds the protocol's own limits. Every failure to read is a
/// <see cref="SerializationException"/> with one line naming the manifest and the problem (Akka.Remote logs it and keeps
/// the association). Secrets: an <see cref="SshSessionSpec"/> sent to open a session carries its password/passphrase,
/// one sent back to a client never does. Nothing here logs.
/// </remarks>
internal sealed class RControlMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id (Akka reserves 0–100).</summary>
    public const int SerializerId = 7357;

    private static readonly FrozenDictionary<string, WireFormat> ByManifest =
        WireFormats.All.ToFrozenDictionary(f => f.Manifest, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, WireFormat> ByType = WireFormats.All.ToFrozenDictionary(f => f.RecordType);

    private readonly int _frameBytes;

    /// <summary>Created by Akka's serialization extension.</summary>
    public RControlMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _frameBytes = WireLimits.FrameBytes(system.Settings.Config);
    }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => FormatOf(o).Manifest;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => FormatOf(obj).ToBinary(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var format))
        {
            throw new SerializationException(
                $"RControl wire: unknown manifest '{manifest}' ({bytes.Length} bytes) — the peer speaks another RControl wire version; client and engine must both run wire version 2");
        }

        var limit = format.MaxPayloadBytes ?? _frameBytes;
        if (bytes.Length > limit)
        {
            throw new SerializationException($"RControl wire: {manifest} payload of {bytes.Length} bytes is larger than the {limit} bytes allowed");
        }

        try
        {
            return format.FromBinary(bytes, system);
        }
        catch (Exception e)
        {
            throw new SerializationException($"RControl wire: malformed {manifest} ({bytes.Length} bytes): {e.Message}", e);
        }
    }

    private static WireFormat FormatOf(object o)
    {
        for (var type = o.GetType(); type is not null; type = type.BaseType)
        {
            if (ByType.TryGetValue(type, out var format))
            {
                return format;
            }
        }

        throw new SerializationException($"RControl serializer cannot serialize {o.GetType().FullName}");
    }
}
