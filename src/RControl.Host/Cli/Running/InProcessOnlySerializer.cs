using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace RControl.Host.Cli.Running;

/// <summary>
/// Stands in for Akka.NET's JSON serializer in the CLI's embedded engine, whose messages never leave the process (no
/// remoting; <c>--daemon</c> runs use their own client configuration). Akka builds every configured serializer when the
/// actor system starts: the JSON one loads Newtonsoft.Json and builds its settings, which a one-shot run pays for and
/// never uses. Serializing through this one is a bug, reported as such.
/// </summary>
internal sealed class InProcessOnlySerializer : Serializer
{
    /// <summary>The identifier of the JSON serializer it replaces (bound to <c>System.Object</c>).</summary>
    private const int JsonSerializerId = 1;

    /// <summary>Called by Akka.NET with the replaced serializer's <c>serialization-settings</c> section.</summary>
    public InProcessOnlySerializer(ExtendedActorSystem system, Config settings)
        : base(system)
    {
        _ = settings;
    }

    /// <summary>Called by Akka.NET when the replaced serializer has no settings section.</summary>
    public InProcessOnlySerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc />
    public override int Identifier => JsonSerializerId;

    /// <inheritdoc />
    public override bool IncludeManifest => false;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) =>
        throw new NotSupportedException($"the CLI's embedded engine does not serialize messages ({obj.GetType().Name})");

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, Type type) =>
        throw new NotSupportedException($"the CLI's embedded engine does not deserialize messages ({type.Name})");
}
