using RControl.Configuration;
using RControl.Protocol;

namespace RControl.Host.Cli.Targets;

/// <summary>
/// <c>-x</c> (names, ranges, comma lists) and <c>-X</c> (inventory groups), as ClusterShell's <c>clush -x/-X</c>:
/// the targets that match are left out. A name matches a target's name or, for an SSH host, its host name.
/// </summary>
public static class Exclusions
{
    /// <summary>The targets left once the exclusions are applied; throws <see cref="UsageException"/> when a group is unknown or nothing is left.</summary>
    public static IReadOnlyList<Target> Apply(IReadOnlyList<Target> targets, IEnumerable<string> names, IEnumerable<string> groups, Inventory inventory)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in names.SelectMany(TargetList.Split))
        {
            excluded.UnionWith(HostRange.IsRange(item) ? HostRange.Expand(item) : [item]);
            if (inventory.Groups.ContainsKey(item))
            {
                excluded.UnionWith(inventory.Resolve(item));
            }
        }

        foreach (var group in groups.SelectMany(TargetList.Split))
        {
            if (!inventory.Groups.ContainsKey(group))
            {
                var known = inventory.Groups.Keys.Order(StringComparer.Ordinal).ToArray();
                throw new UsageException($"-X: unknown group '{group}' (known: {(known.Length == 0 ? "none" : string.Join(", ", known))})");
            }

            excluded.UnionWith(inventory.Resolve(group));
        }

        if (excluded.Count == 0)
        {
            return targets;
        }

        var kept = targets.Where(t => !excluded.Contains(t.Name) && !(t.Spec is SshSessionSpec ssh && excluded.Contains(ssh.Host))).ToArray();
        return kept.Length > 0 ? kept : throw new UsageException("-x/-X excluded every target: nothing to run");
    }
}
