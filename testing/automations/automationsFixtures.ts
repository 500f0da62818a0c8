/** Test support: a Standard Webhooks secret (24 bytes of base64) and the brief's example file. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('journey-automations-test-secret').toString('base64')}`;

export const exampleAutomations = (webhookUrl = 'https://mailer.example/hooks/welcome') => ({
  version: 1,
  automations: [
    {
      id: 'welcome-email',
      when: { event: 'UserSignedUp' },
      do: { webhook: { url: webhookUrl, secret: WEBHOOK_SECRET } },
    },
    {
      id: 'stuck-3-days',
      when: { after: 'UserSignedUp', wait: 'P3D', unless: ['ProjectCreated'] },
      do: { slack: { channel: '#onboarding', text: '{{user.email}} signed up 3 days ago and has no project yet' } },
    },
    {
      id: 'error-support',
      when: { event: 'ErrorEncountered', where: { 'data.status': { gte: 500 } } },
      do: { nats: { subject: 'journey.automations.error-support' } },
    },
  ],
});
