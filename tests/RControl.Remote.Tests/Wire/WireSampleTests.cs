using Akka.Actor;
using Akka.Serialization;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Serialization;

namespace RControl.Remote.Tests.Wire;

/// <summary>
/// Golden byte samples of wire version 2 (<c>WireSamples/v2/&lt;manifest&gt;.hex</c>): each decodes to its expected
/// record and each record encodes to exactly those bytes, so an accidental change of the wire fails here. After an
/// intended change (a new field or message), regenerate with <c>RCONTROL_WRITE_WIRE_SAMPLES=&lt;dir&gt;</c>.
/// </summary>
public sealed class WireSampleTests : IAsyncLifetime
{
    private ActorSystem _system = null!;
    private IReadOnlyDictionary<string, object> _samples = null!;

    public static TheoryData<string> Manifests() => new(WireFormats.All.Select(f => f.Manifest));

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create(WireSampleRecords.SystemName, RControlConfig.ReferenceConfig);
        _samples = WireSampleRecords.Create((ExtendedActorSystem)_system);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public void Every_manifest_has_a_sample_and_every_sample_file_a_manifest()
    {
        Assert.Equal(WireFormats.All.Select(f => f.Manifest).Order(), _samples.Keys.Order());
        var files = Directory.GetFiles(SampleDirectory, "*.hex").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(_samples.Keys.Order(), files);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Sample_bytes_decode_to_the_expected_record_and_the_record_encodes_to_them(string manifest)
    {
        var serializer = Serializer();
        var expected = _samples[manifest];
        Assert.Equal(manifest, serializer.Manifest(expected));
        var encoded = serializer.ToBinary(expected);
        if (Environment.GetEnvironmentVariable("RCONTROL_WRITE_WIRE_SAMPLES") is { Length: > 0 } writeTo)
        {
            Directory.CreateDirectory(writeTo);
            File.WriteAllText(Path.Combine(writeTo, manifest + ".hex"), Convert.ToHexStringLower(encoded) + "\n");
        }

        var golden = Convert.FromHexString(File.ReadAllText(Path.Combine(SampleDirectory, manifest + ".hex")).Trim());
        var decoded = serializer.FromBinary(golden, manifest);
        Assert.Equal(WireSampleRecords.Describe(expected), WireSampleRecords.Describe(decoded));
        Assert.Equal(Convert.ToHexStringLower(golden), Convert.ToHexStringLower(encoded));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Sample_round_trips(string manifest)
    {
        var serializer = Serializer();
        var record = _samples[manifest];
        var back = serializer.FromBinary(serializer.ToBinary(record), serializer.Manifest(record));
        Assert.Equal(WireSampleRecords.Describe(record), WireSampleRecords.Describe(back));
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Fields_a_newer_peer_added_are_skipped(string manifest)
    {
        var serializer = Serializer();
        var record = _samples[manifest];

        // Field 999 as a varint, a string and a nested message: what a later version might add.
        byte[] newer = [.. serializer.ToBinary(record), 0xB8, 0x3E, 0x2A, 0xBA, 0x3E, 0x03, 0x6E, 0x65, 0x77, 0xBA, 0x3E, 0x02, 0x08, 0x01];
        Assert.Equal(WireSampleRecords.Describe(record), WireSampleRecords.Describe(serializer.FromBinary(newer, manifest)));
    }

    [Fact]
    public void The_samples_give_every_spec_property_a_value_other_than_its_default()
    {
        // With every property set, a property added to a spec but not to the .proto fails the golden and round-trip tests.
        AssertEverySet(((Protocol.ExecuteCommand)_samples["Execute"]).Spec, new Protocol.CommandSpec(""));
        AssertEverySet(((Protocol.OpenSession)_samples["OpenSession"]).Spec, new Protocol.SshSessionSpec("default-host"));
        AssertEverySet(_samples["SessionSpec"], new Protocol.LocalSessionSpec());
    }

    private static void AssertEverySet(object sample, object defaults)
    {
        Assert.Equal(defaults.GetType(), sample.GetType());
        foreach (var property in sample.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            var value = System.Text.Json.JsonSerializer.Serialize(property.GetValue(sample));
            Assert.True(
                value != System.Text.Json.JsonSerializer.Serialize(property.GetValue(defaults)),
                $"{sample.GetType().Name}.{property.Name} keeps its default in the sample: give it another value (and check that it crosses the wire)");
        }
    }

    [Fact]
    public void A_session_spec_from_before_the_connect_budget_reads_with_the_default_budget()
    {
        var older = new Protocol.Wire.SessionSpec { Ssh = new Protocol.Wire.SshSessionSpec { Host = "web1", MaxChannels = 10, MaxConnections = 8 } };
        var spec = (Protocol.SshSessionSpec)Serializer().FromBinary(Google.Protobuf.MessageExtensions.ToByteArray(older), "SessionSpec");
        Assert.Equal(new Protocol.SshSessionSpec("web1").ConnectBudget, spec.ConnectBudget);
        Assert.Equal(TimeSpan.FromSeconds(20), ((Protocol.SshSessionSpec)Serializer().FromBinary(Serializer().ToBinary(new Protocol.SshSessionSpec("web1") { ConnectBudget = TimeSpan.FromSeconds(20) }), "SessionSpec")).ConnectBudget);
    }

    [Fact]
    public void An_execute_without_its_command_spec_is_refused()
    {
        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => Serializer().FromBinary([0x0A, 0x01, 0x41], "Execute"));
        Assert.Equal("RControl wire: malformed Execute (3 bytes): the command spec is missing", error.Message);
    }

    [Fact]
    public void A_version_1_manifest_is_refused_with_one_line_naming_it()
    {
        // Wire version 1 wrote a 4-byte count first; version 2 does not read it at all.
        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => Serializer().FromBinary([0x80, 0xB2, 0xE6, 0x0E], "SessionList.1"));
        Assert.Equal(
            "RControl wire: unknown manifest 'SessionList.1' (4 bytes) — the peer speaks another RControl wire version; client and engine must both run wire version 2",
            error.Message);
    }

    private static string SampleDirectory => Path.Combine(AppContext.BaseDirectory, "WireSamples", "v2");

    private SerializerWithStringManifest Serializer() =>
        (SerializerWithStringManifest)_system.Serialization.FindSerializerForType(typeof(Protocol.IRControlWireMessage));
}
