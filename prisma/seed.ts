import { config } from '../src/infra/config';
import { createPrisma } from '../src/infra/prisma';
import { hashPassword } from '../src/infra/passwords';

// Demo data for trying the product locally: `npm run db:seed` (idempotent; safe to run again).
// Log in with any of these emails and the password below.
export const DEMO_PASSWORD = 'coachflow-demo-password';

// The password above is public, and one of these accounts is a superuser: never in production.
if (process.env.NODE_ENV === 'production') {
  process.stderr.write(
    'db:seed creates demo accounts with a published password (one a superuser); refusing with NODE_ENV=production\n',
  );
  process.exit(1);
}

const cfg = config();
const db = createPrisma(cfg.DATABASE_URL, 2);
const passwordHash = await hashPassword(DEMO_PASSWORD);

async function user(
  email: string,
  name: string,
  role: 'coach_pro_plus' | 'player_pro' | 'superuser' | 'org_pro',
) {
  return db.user.upsert({
    where: { email },
    create: { email, name, role, passwordHash },
    update: { name, role },
  });
}

const coach = await user('coach@demo.coachflow.local', 'Asha Rao', 'coach_pro_plus');
const athlete = await user('athlete@demo.coachflow.local', 'Sam Patel', 'player_pro');
await user('ops@demo.coachflow.local', 'Operator', 'superuser');

await db.coachProfile.upsert({
  where: { userId: coach.id },
  create: {
    userId: coach.id,
    slug: 'asha-rao',
    displayName: 'Asha Rao',
    bio: 'Former county seamer. Bowling action, run-up and match preparation.',
    timeZone: 'Europe/London',
    bookingEnabled: true,
    productsEnabled: true,
  },
  update: {},
});

await db.coachPlayer.upsert({
  where: { coachId_playerId: { coachId: coach.id, playerId: athlete.id } },
  create: { coachId: coach.id, playerId: athlete.id, status: 'active', acceptedAt: new Date() },
  update: {},
});

if ((await db.product.count({ where: { coachId: coach.id } })) === 0) {
  await db.product.createMany({
    data: [
      {
        coachId: coach.id,
        title: '4-week bowling block',
        description: 'Weekly video review and a plan.',
        priceMinor: 12000,
        currency: 'GBP',
      },
      {
        coachId: coach.id,
        title: 'Pre-season check-up',
        description: 'One session and a written report.',
        priceMinor: 4500,
        currency: 'GBP',
      },
    ],
  });
}

console.log(`Seeded demo users (password "${DEMO_PASSWORD}"):
  coach    coach@demo.coachflow.local    (coach_pro_plus, public page /api/coaches/asha-rao)
  athlete  athlete@demo.coachflow.local  (player_pro, on the coach's roster)
  operator ops@demo.coachflow.local      (superuser)`);
await db.$disconnect();
