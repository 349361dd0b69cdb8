using System.Text.RegularExpressions;
using Akka.Configuration;

namespace RControl.Cluster;

/// <summary>
/// Zones: a zone-pinned session (<c>zone = "dc-eu"</c>) is hosted only by cluster nodes with that Akka cluster role
/// (<c>akka.cluster.roles = ["dc-eu"]</c>). Each zone has its own shard region, restricted to the zone's role.
/// </summary>
internal static partial class ClusterZones
{
    /// <summary>The sharding type name of sessions without a zone (hosted on any node).</summary>
    public const string AnyZoneTypeName = "rcontrol-sessions";

    /// <summary>The sharding type name of a zone's sessions.</summary>
    public static string TypeName(string? zone) => zone is null ? AnyZoneTypeName : $"{AnyZoneTypeName}-{zone}";

    /// <summary>Returns the zone when it is a valid role name; otherwise throws a <see cref="ConfigurationException"/> naming the session and key.</summary>
    public static string Check(string session, string zone) =>
        ValidZone().IsMatch(zone)
            ? zone
            : throw new Configuration.ConfigKeyException(
                ["sessions", session, "zone"],
                $"session '{session}': zone '{zone}' must be a role name: letters, digits, '.', '_' or '-' (at most 64)");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidZone();
}
