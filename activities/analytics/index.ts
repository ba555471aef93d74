export { analyticsPostgresActivities as analyticsActivities } from './postgres';
