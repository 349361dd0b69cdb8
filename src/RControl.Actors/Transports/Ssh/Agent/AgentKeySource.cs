using Renci.SshNet;
using Renci.SshNet.Security;

namespace RControl.Transports.Ssh.Agent;

/// <summary>An agent identity as SSH.NET sees a key: the algorithms it can sign with, each signing through the agent.</summary>
internal sealed class AgentKeySource : IPrivateKeySource
{
    public AgentKeySource(SshAgentClient agent, AgentIdentity identity)
    {
        Identity = identity;
        HostKeyAlgorithms = identity.KeyType == "ssh-rsa"
            ? [new AgentHostAlgorithm("rsa-sha2-512", agent, identity, AgentMessages.RsaSha512), new AgentHostAlgorithm("rsa-sha2-256", agent, identity, AgentMessages.RsaSha256)]
            : [new AgentHostAlgorithm(identity.KeyType, agent, identity, 0)];
    }

    public AgentIdentity Identity { get; }

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; }

    private sealed class AgentHostAlgorithm(string name, SshAgentClient agent, AgentIdentity identity, uint flags) : HostAlgorithm(name)
    {
        public override byte[] Data => identity.KeyBlob;

        public override byte[] Sign(byte[] data) => agent.Sign(identity.KeyBlob, data, flags);

        public override bool VerifySignature(byte[] data, byte[] signature) =>
            throw new NotSupportedException("an agent key only signs");
    }
}
