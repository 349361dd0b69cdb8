using System.Runtime.Serialization;

namespace RControl.Serialization;

/// <summary>
/// Bounds checked on every message read from the wire. Protobuf itself checks each length against the bytes present
/// (nothing is allocated for a count or length the frame does not hold); these add the limits of the protocol.
/// </summary>
internal static class WireLimits
{
    /// <summary>Akka.Remote's <c>maximum-frame-size</c> in <c>reference.conf</c>: the largest answer read unless configured otherwise.</summary>
    public const int DefaultFrameBytes = 8 * 1024 * 1024;

    /// <summary>
    /// The largest request an engine reads (a command with its environment, a session spec, a path): Linux's
    /// <c>ARG_MAX</c>, so any command that can run fits. Requests are what an unauthenticated peer could send.
    /// </summary>
    public const int MaxRequestBytes = 2 * 1024 * 1024;

    /// <summary>The largest file write request: one chunk and its path.</summary>
    public const int MaxWriteChunkBytes = MaxChunkBytes + (64 * 1024);

    /// <summary>How deep jump hosts may nest (a jump host of a jump host …).</summary>
    public const int MaxJumpDepth = 8;

    /// <summary>The largest chunk of file data in one message (<see cref="Protocol.FileProtocol.ChunkSize"/>).</summary>
    public const int MaxChunkBytes = Protocol.FileProtocol.ChunkSize;

    /// <summary>The configured <c>maximum-frame-size</c>: nothing larger can arrive through Akka.Remote.</summary>
    public static int FrameBytes(Akka.Configuration.Config config)
    {
        var configured = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", DefaultFrameBytes) ?? DefaultFrameBytes;
        return (int)Math.Clamp(configured, 1, int.MaxValue);
    }

    public static TEnum Enum<TEnum>(int value, string field)
        where TEnum : struct, System.Enum =>
        Known<TEnum>.ByValue.TryGetValue(value, out var result)
            ? result
            : throw new SerializationException($"{field} has the unknown value {value}");

    public static byte[] Chunk(Google.Protobuf.ByteString data, string field) =>
        data.Length <= MaxChunkBytes
            ? data.ToByteArray()
            : throw new SerializationException($"{field} holds {data.Length} bytes, more than the {MaxChunkBytes} allowed");

    private static class Known<TEnum>
        where TEnum : struct, System.Enum
    {
        public static readonly IReadOnlyDictionary<long, TEnum> ByValue =
            System.Enum.GetValues<TEnum>().ToDictionary(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
    }
}
