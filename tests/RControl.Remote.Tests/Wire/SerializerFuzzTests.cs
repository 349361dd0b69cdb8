using System.Diagnostics;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Serialization;
using Xunit.Abstractions;

namespace RControl.Remote.Tests.Wire;

/// <summary>
/// Random and adversarial payloads for every manifest through the serializer's <c>FromBinary</c>: truncated and
/// bit-flipped valid messages, random bytes, lengths and counts far beyond the payload, floods of empty elements,
/// deep nesting. Nothing but a <see cref="SerializationException"/> may come out, and no case may allocate more than
/// <see cref="BaseAllowance"/> plus <see cref="BytesPerInputByte"/> times its length.
/// </summary>
public sealed class SerializerFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int CasesPerManifest = 3_000;
    private const long BaseAllowance = 64 * 1024;

    /// <summary>
    /// Allocation per byte of input, at most: a 2-byte empty element of a repeated message becomes a protobuf object,
    /// the record and its list slot (the worst case, about 100 bytes per input byte, is a flood of empty directory entries).
    /// </summary>
    private const long BytesPerInputByte = 128;

    private ActorSystem _system = null!;
    private SerializerWithStringManifest _serializer = null!;
    private IReadOnlyDictionary<string, object> _samples = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create(WireSampleRecords.SystemName, RControlConfig.ReferenceConfig);
        _serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerForType(typeof(IRControlWireMessage));
        _samples = WireSampleRecords.Create((ExtendedActorSystem)_system);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public void Every_manifest_survives_random_and_adversarial_payloads_with_bounded_allocation()
    {
        var random = new Random(20261130);
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        long cases = 0, rejected = 0;
        (double PerByte, string What) worst = (0, "");
        foreach (var manifest in _samples.Keys)
        {
            var sample = _serializer.ToBinary(_samples[manifest]);
            WarmUp(manifest, sample);
            foreach (var payload in Payloads(sample, random).Take(CasesPerManifest))
            {
                cases++;
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    _serializer.FromBinary(payload, manifest);
                }
                catch (SerializationException)
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    failures.Add($"{manifest} {Convert.ToHexStringLower(payload)}: {e.GetType().Name}: {e.Message}");
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > BaseAllowance + (payload.Length * BytesPerInputByte))
                {
                    failures.Add($"{manifest} of {payload.Length} bytes allocated {allocated} bytes: {Convert.ToHexStringLower(payload[..Math.Min(64, payload.Length)])}…");
                }

                if (payload.Length >= 1024 && (allocated - BaseAllowance) / (double)payload.Length > worst.PerByte)
                {
                    worst = ((allocated - BaseAllowance) / (double)payload.Length, $"{manifest} of {payload.Length} bytes: {allocated} bytes");
                }
            }
        }

        output.WriteLine($"{cases} cases ({rejected} rejected) in {watch.Elapsed.TotalSeconds:0.0}s; largest allocation per input byte beyond the base: {worst.PerByte:0.0} ({worst.What})");
        Assert.True(cases >= 100_000, $"only {cases} cases");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Fact]
    public void A_few_bytes_claiming_a_huge_length_allocate_almost_nothing()
    {
        foreach (var manifest in _samples.Keys)
        {
            foreach (var field in new[] { 1, 2, 3, 4, 5, 6, 7, 15, 16 })
            {
                byte[] payload = [.. Tag(field, 2), .. Varint(250_000_000), 0x41, 0x41, 0x41, 0x41];
                _ = Decode(manifest, payload);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var error = Decode(manifest, payload);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < BaseAllowance, $"{manifest} field {field}: {allocated} bytes");
                Assert.IsType<SerializationException>(error);
                Assert.StartsWith($"RControl wire: malformed {manifest} (", error.Message);
            }
        }
    }

    [Fact]
    public void A_request_larger_than_its_limit_is_refused_before_it_is_parsed()
    {
        var payload = new byte[WireLimits.MaxRequestBytes + 1];
        _ = Decode("Execute", payload);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Decode("Execute", payload);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < BaseAllowance);
        Assert.Equal($"RControl wire: Execute payload of {payload.Length} bytes is larger than the {WireLimits.MaxRequestBytes} bytes allowed", error?.Message);
        Assert.IsType<Protocol.CommandOutput>(_serializer.FromBinary(_serializer.ToBinary(new Protocol.CommandOutput("t", OutputStream.Stdout, [new string('x', 3 * 1024 * 1024)])), "Output"));
    }

    [Fact]
    public void Jump_hosts_nested_deeper_than_eight_are_refused()
    {
        var spec = new SshSessionSpec("h0");
        for (var i = 1; i <= 12; i++)
        {
            spec = new SshSessionSpec($"h{i}") { JumpHosts = new Dictionary<string, SshSessionSpec> { [$"j{i}"] = spec } };
        }

        // The writer stops at the limit (it never sends what the reader refuses) …
        var open = new Protocol.OpenSession("deep", spec);
        var back = (Protocol.OpenSession)_serializer.FromBinary(_serializer.ToBinary(open), "OpenSession");
        var depth = 0;
        for (var s = (SshSessionSpec)back.Spec; s.JumpHosts is { } jumps; s = jumps.Values.Single())
        {
            depth++;
        }

        Assert.Equal(8, depth);

        // … and the reader refuses a deeper chain written by hand.
        // Valid in every other field: only the depth is wrong.
        var wire = new Protocol.Wire.SshSessionSpec { Host = "h0", MaxChannels = 1, MaxConnections = 1 };
        for (var i = 1; i <= 12; i++)
        {
            var outer = new Protocol.Wire.SshSessionSpec { Host = $"h{i}", MaxChannels = 1, MaxConnections = 1, JumpHosts = new Protocol.Wire.JumpHosts() };
            outer.JumpHosts.Hosts[$"j{i}"] = wire;
            wire = outer;
        }

        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(new Protocol.Wire.OpenSession { Name = "deep", Spec = new Protocol.Wire.SessionSpec { Ssh = wire } });
        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "OpenSession"));
        Assert.Contains("jump hosts nested deeper than 8", error.Message);
    }

    private Exception? Decode(string manifest, byte[] payload)
    {
        try
        {
            _serializer.FromBinary(payload, manifest);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private void WarmUp(string manifest, byte[] sample)
    {
        // First calls load types and resources: not what is measured.
        _ = Decode(manifest, sample);
        _ = Decode(manifest, sample[..(sample.Length / 2)]);
        _ = Decode(manifest, [0xFF, 0xFF]);
    }

    private static IEnumerable<byte[]> Payloads(byte[] sample, Random random)
    {
        for (var length = 0; length < sample.Length; length++)
        {
            yield return sample[..length];
        }

        for (var field = 1; field <= 20; field++)
        {
            foreach (var huge in new ulong[] { 250_000_000, int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue })
            {
                yield return [.. Tag(field, 2), .. Varint(huge), .. RandomBytes(random, random.Next(0, 5))];
            }

            for (var wireType = 0; wireType < 8; wireType++)
            {
                yield return [.. Tag(field, wireType), .. RandomBytes(random, random.Next(0, 12))];
            }

            // A flood of empty elements: the largest object count per byte a payload can ask for.
            yield return Enumerable.Repeat<byte[]>([.. Tag(field, 2), 0x00], 2_000).SelectMany(b => b).ToArray();
            yield return Enumerable.Repeat<byte[]>(Tag(field, 0).Append((byte)0x01).ToArray(), 2_000).SelectMany(b => b).ToArray();
        }

        // Deep nesting: unknown groups, and length-delimited fields inside each other.
        yield return Enumerable.Repeat((byte)0x0B, 10_000).ToArray();
        yield return Nested(random, 200);
        yield return Enumerable.Repeat((byte)0xFF, 11).ToArray();

        while (true)
        {
            switch (random.Next(4))
            {
                case 0:
                    yield return RandomBytes(random, random.Next(0, 65));
                    break;
                case 1:
                    yield return [.. sample, .. RandomBytes(random, random.Next(1, 16))];
                    break;
                default:
                    var flipped = sample.ToArray();
                    for (var flips = random.Next(1, 4); flips > 0 && flipped.Length > 0; flips--)
                    {
                        flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    yield return flipped;
                    break;
            }
        }
    }

    private static byte[] Nested(Random random, int depth)
    {
        byte[] inner = [];
        for (var i = 0; i < depth; i++)
        {
            inner = [.. Tag(random.Next(1, 17), 2), .. Varint((ulong)inner.Length), .. inner];
        }

        return inner;
    }

    private static byte[] Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return bytes.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
